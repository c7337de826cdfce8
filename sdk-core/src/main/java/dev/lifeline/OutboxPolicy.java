package dev.lifeline;

import java.util.concurrent.TimeUnit;

/**
 * Limits of the outbox that holds messages sent while not connected
 * (docs/behaviour.md, "Sending and delivery"). Messages are flushed in order once connected, before
 * newer ones. A send that would exceed a limit is rejected visibly: {@link Connection#send} returns
 * false and the listener hears {@link ConnectionListener#onSendFailed}. A message older than the
 * TTL is dropped the same visible way.
 *
 * <pre>{@code
 * // While offline, hold at most 100 messages or 64 KiB; drop (and report) any older than 2 min.
 * OutboxPolicy outbox = OutboxPolicy.builder()
 *     .maxMessages(100)
 *     .maxBytes(64 * 1024)
 *     .ttl(2, MINUTES)
 *     .build();
 * }</pre>
 */
public final class OutboxPolicy {
  /** At most 1000 messages held. */
  public static final int DEFAULT_MAX_MESSAGES = 1_000;
  /** At most 1 MiB of payload held. */
  public static final long DEFAULT_MAX_BYTES = 1024L * 1024L;
  /** 0: messages never expire. */
  public static final long DEFAULT_TTL_MILLIS = 0L;

  private static final OutboxPolicy DEFAULTS = new Builder().build();

  /** Most messages held at once, > 0. */
  private final int maxMessages;
  /** Most payload bytes held at once, > 0. */
  private final long maxBytes;
  /** Age after which an unsent message is dropped (and reported); 0 = never. */
  private final long ttlMillis;

  private OutboxPolicy(Builder b) {
    maxMessages = b.maxMessages;
    maxBytes = b.maxBytes;
    ttlMillis = b.ttlMillis;
  }

  /**
   * 1000 messages, 1 MiB, no TTL.
   *
   * @return the default policy
   */
  public static OutboxPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The most messages held at once.
   *
   * @return the limit, > 0
   */
  public int maxMessages() { return maxMessages; }
  /**
   * The most payload bytes held at once (UTF-8 for text).
   *
   * @return the limit in bytes, > 0
   */
  public long maxBytes() { return maxBytes; }
  /**
   * The age after which an unsent message is dropped and reported.
   *
   * @return the age in ms, or 0 for no expiry
   */
  public long ttlMillis() { return ttlMillis; }

  /** The limits, with units: {@code OutboxPolicy{maxMessages=1000, maxBytes=1048576 bytes, ttl=none}}. */
  @Override public String toString() {
    return "OutboxPolicy{maxMessages=" + maxMessages + ", maxBytes=" + maxBytes + " bytes, ttl="
        + (ttlMillis == 0 ? "none" : ttlMillis + " ms") + "}";
  }

  /** Builds an {@link OutboxPolicy}. */
  public static final class Builder {
    private int maxMessages = DEFAULT_MAX_MESSAGES;
    private long maxBytes = DEFAULT_MAX_BYTES;
    private long ttlMillis = DEFAULT_TTL_MILLIS;

    Builder() {}

    /**
     * The most messages held at once [1000].
     *
     * @param maxMessages the limit, > 0
     * @return this builder
     */
    public Builder maxMessages(int maxMessages) {
      if (maxMessages <= 0) {
        throw new IllegalArgumentException("outbox max messages must be positive, was " + maxMessages);
      }
      this.maxMessages = maxMessages;
      return this;
    }

    /**
     * The most payload bytes held at once [1 MiB].
     *
     * @param maxBytes the limit in bytes, > 0
     * @return this builder
     */
    public Builder maxBytes(long maxBytes) {
      if (maxBytes <= 0) {
        throw new IllegalArgumentException("outbox max bytes must be positive, was " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * Unsent messages older than this are dropped and reported; 0 = never [0].
     *
     * @param ttl the age, ≥ 0
     * @param unit its unit
     * @return this builder
     */
    public Builder ttl(long ttl, TimeUnit unit) {
      ttlMillis = Checks.nonNegativeMillis("outbox ttl", ttl, unit);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     */
    public OutboxPolicy build() {
      return new OutboxPolicy(this);
    }
  }
}
