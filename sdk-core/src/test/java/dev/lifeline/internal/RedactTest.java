package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.Test;

/** What {@link Redact#url} hides and what it keeps (docs/behaviour.md, "Secrets"). */
public final class RedactTest {
  @Test public void queryValuesAreMaskedAndNamesKept() {
    assertEquals("wss://h.example/socket?access_token=██&x=██",
        Redact.url("wss://h.example/socket?access_token=SECRET&x=1"));
  }

  @Test public void userInfoIsMaskedWhole() {
    assertEquals("ws://██@h:8080/p", Redact.url("ws://user:pw@h:8080/p"));
    assertEquals("ws://██@h/", Redact.url("ws://a@b:pw@h/")); // The last '@' ends user info.
  }

  @Test public void aFragmentAndABareParameterAreMasked() {
    assertEquals("ws://h/p?██&a=██#██", Redact.url("ws://h/p?SECRET&a=b#access_token=SECRET"));
    assertEquals("ws://h/p?", Redact.url("ws://h/p?"));
  }

  @Test public void anAtSignInThePathOrQueryIsNotUserInfo() {
    assertEquals("ws://h/p@q?m=██", Redact.url("ws://h/p@q?m=a@b"));
  }

  @Test public void urlsWithoutSecretsAreUnchanged() {
    assertEquals("wss://h.example/socket", Redact.url("wss://h.example/socket"));
    assertEquals("tcp://10.0.0.1:7001", Redact.url("tcp://10.0.0.1:7001"));
    assertNull(Redact.url(null));
  }

  @Test public void textThatIsNotAUrlIsStillMasked() {
    assertEquals("██@host?token=██", Redact.url("user:pw@host?token=SECRET"));
    assertEquals("example.com", Redact.url("example.com"));
  }
}
