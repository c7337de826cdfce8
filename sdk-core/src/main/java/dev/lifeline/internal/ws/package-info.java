/**
 * Not API: Lifeline's own RFC 6455 frame codec for the client side of a WebSocket. {@link
 * dev.lifeline.internal.ws.FrameReader} parses server frames (unmasked) and {@link
 * dev.lifeline.internal.ws.FrameWriter} writes client frames (masked); {@link
 * dev.lifeline.internal.ws.WebSocketProtocol} holds the constants and rules both share. Neither
 * class is thread-safe: the transport gives reading to one thread and writing to one writer at a
 * time, as OkHttp's {@code WebSocketReader} and {@code WebSocketWriter} do.
 */
@NullMarked
package dev.lifeline.internal.ws;

import org.jspecify.annotations.NullMarked;
