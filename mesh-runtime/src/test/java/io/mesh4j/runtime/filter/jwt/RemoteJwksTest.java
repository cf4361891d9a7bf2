package io.mesh4j.runtime.filter.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import io.mesh4j.runtime.inbound.InboundReply;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code remote_jwks} against a real JWKS endpoint on loopback that goes down, comes back, and answers slowly. */
class RemoteJwksTest {
  private final ScheduledExecutorService threads = Executors.newSingleThreadScheduledExecutor();
  private JwksServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    threads.shutdownNow();
  }

  private JwtAuthnConfig config(long cacheSeconds, java.util.function.LongSupplier clock) throws Exception {
    return JwtConfigs.decode("""
        {"providers": {"p": {
           "issuer": "https://issuer.example",
           "remote_jwks": {"http_uri": {"uri": "%s", "cluster": "%s", "timeout": "2s"},
                           "cache_duration": "%ds"}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(server.uri(), JwksServer.CLUSTER, cacheSeconds),
        new JwtEnvironment(clock, server.fetcher(), threads, false));
  }

  private static String token(com.nimbusds.jose.jwk.RSAKey key, String jti) {
    return TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), key,
        TestKeys.claims(java.util.Map.of("iss", "https://issuer.example", "jti", jti,
            "exp", System.currentTimeMillis() / 1000 + 3600)));
  }

  private static InboundReply call(JwtAuthnConfig config, String token) {
    return config.onRequest(TestRequest.get("/").bearer(token));
  }

  @Test
  void outageKeepsCachedKeysFailsNewKidsClosedAndRecovers() throws Exception {
    server = new JwksServer(TestKeys.jwks(TestKeys.RSA));
    JwtAuthnConfig config = config(1, System::currentTimeMillis);
    assertThat(call(config, token(TestKeys.RSA, "first"))).isNull(); // may wait for the first fetch

    server.stop();
    // Fresh tokens (not in the verified-token cache) still verify with the keys held.
    assertThat(call(config, token(TestKeys.RSA, "during-outage"))).isNull();
    // A key the held set lacks fails closed.
    InboundReply newKid = call(config, token(TestKeys.RSA_OTHER, "new-kid"));
    assertThat(newKid.httpStatus()).isEqualTo(401);
    assertThat(newKid.body()).isIn("Jwks doesn't have key to match kid or alg from Jwt", "Jwks remote fetch is failed");

    server.jwks.set(TestKeys.jwks(TestKeys.RSA, TestKeys.RSA_OTHER));
    server.restart();
    await().atMost(JwksServer.generous()).pollInterval(50, TimeUnit.MILLISECONDS)
        .until(() -> call(config, token(TestKeys.RSA_OTHER, "after-" + System.nanoTime())) == null);
    assertThat(call(config, token(TestKeys.RSA, "old-key-after"))).isNull();
  }

  @Test
  void beyondTheOutageToleranceTokensFailClosedUntilTheServerReturns() throws Exception {
    server = new JwksServer(TestKeys.jwks(TestKeys.RSA));
    JwtAuthnConfig config = config(1, System::currentTimeMillis);
    assertThat(call(config, token(TestKeys.RSA, "first"))).isNull();
    server.stop();
    await().atMost(JwksServer.generous()).pollInterval(50, TimeUnit.MILLISECONDS)
        .until(() -> "Jwks remote fetch is failed".equals(
            bodyOf(call(config, token(TestKeys.RSA, "late-" + System.nanoTime())))));
    server.restart();
    await().atMost(JwksServer.generous()).pollInterval(50, TimeUnit.MILLISECONDS)
        .until(() -> call(config, token(TestKeys.RSA, "back-" + System.nanoTime())) == null);
  }

  private static String bodyOf(InboundReply reply) {
    return reply == null ? null : reply.body();
  }

  @Test
  void aSlowServerDoesNotHoldRequests() throws Exception {
    server = new JwksServer(TestKeys.jwks(TestKeys.RSA));
    AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    JwtAuthnConfig config = config(300, clock::get);
    assertThat(call(config, token(TestKeys.RSA, "first"))).isNull();
    int fetchesBefore = server.fetches.get();

    CountDownLatch slow = new CountDownLatch(1);
    server.hold.set(slow);
    // An unknown kid asks for a refresh, which the server now holds; the requests answer meanwhile.
    InboundReply unknown = call(config, token(TestKeys.RSA_OTHER, "unknown"));
    assertThat(unknown.httpStatus()).isEqualTo(401);
    await().atMost(JwksServer.generous()).until(() -> server.fetches.get() == fetchesBefore + 1);
    for (int i = 0; i < 20; i++) {
      assertThat(call(config, token(TestKeys.RSA, "while-slow-" + i))).isNull();
      assertThat(call(config, token(TestKeys.RSA_OTHER, "unknown-" + i)).httpStatus()).isEqualTo(401);
    }
    assertThat(slow.getCount()).isEqualTo(1); // every request above answered while the fetch was held
    slow.countDown();
  }

  @Test
  void unknownKidsTriggerAtMostOneRefreshPerMinute() throws Exception {
    server = new JwksServer(TestKeys.jwks(TestKeys.RSA));
    AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    JwtAuthnConfig config = config(300, clock::get);
    assertThat(call(config, token(TestKeys.RSA, "first"))).isNull();
    assertThat(server.fetches.get()).isEqualTo(1);

    for (int i = 0; i < 50; i++) {
      call(config, token(TestKeys.RSA_OTHER, "burst-1-" + i));
    }
    drain();
    assertThat(server.fetches.get()).isEqualTo(2);

    clock.addAndGet(59_000);
    for (int i = 0; i < 50; i++) {
      call(config, token(TestKeys.RSA_OTHER, "burst-2-" + i));
    }
    drain();
    assertThat(server.fetches.get()).isEqualTo(2);

    clock.addAndGet(2_000);
    server.jwks.set(TestKeys.jwks(TestKeys.RSA, TestKeys.RSA_OTHER));
    call(config, token(TestKeys.RSA_OTHER, "burst-3"));
    drain();
    assertThat(server.fetches.get()).isEqualTo(3);
    assertThat(call(config, token(TestKeys.RSA_OTHER, "rotated"))).isNull();
  }

  /** Waits until every task queued before now on the JWKS thread has run (it is a single thread). */
  private void drain() throws Exception {
    threads.submit(() -> {}).get(30, TimeUnit.SECONDS);
  }
}
