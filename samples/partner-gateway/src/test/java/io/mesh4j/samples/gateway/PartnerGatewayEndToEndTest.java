package io.mesh4j.samples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole sample on loopback with the real runtime and the shipped YAML: a real control plane, the gateway's
 * server listener (jwt_authn with remote JWKS fetched through the mesh, then RBAC on the claims), the outbound
 * engine to the in-mesh service and, over TLS it originates, to the on-premises one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartnerGatewayEndToEndTest {
  private static final long LARGE = 64L * 1024 * 1024;
  private static final long FIRST_PART = 1024 * 1024;

  /** Armed by a streaming test: released when the backend has seen (or sent) the first part of a body. */
  private final AtomicReference<CountDownLatch> backendReceivedFirstPart = new AtomicReference<>();
  private final AtomicReference<CountDownLatch> partnerReceivedFirstPart = new AtomicReference<>();
  private final AtomicReference<Boolean> backendWaited = new AtomicReference<>(false);

  private GatewaySetup setup;
  private final OkHttpClient partner = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60))
      .writeTimeout(Duration.ofSeconds(60)).build();

  @BeforeAll
  void start() throws Exception {
    Backend.StreamHooks hooks = new Backend.StreamHooks() {
      @Override
      public void requestBytes(long soFar) {
        CountDownLatch latch = backendReceivedFirstPart.get();
        if (latch != null && soFar >= FIRST_PART) {
          latch.countDown();
        }
      }

      @Override
      public void responseBytes(long soFar) {
        CountDownLatch latch = partnerReceivedFirstPart.get();
        if (latch != null && soFar >= FIRST_PART && soFar < LARGE) {
          // Hold the rest of the body until the partner has the first part: only a streamed response gets there.
          try {
            backendWaited.set(latch.await(60, TimeUnit.SECONDS));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          partnerReceivedFirstPart.set(null);
        }
      }
    };
    setup = GatewaySetup.start(new GatewaySetup.Settings(0, 0, 0, 0, 0, Path.of("config"), hooks));
    setup.awaitReady(Duration.ofSeconds(60));
    PartnerGatewaySample.awaitKeys(setup, partner);
  }

  @AfterAll
  void stop() {
    if (setup != null) {
      setup.close();
    }
  }

  @Test
  void theWalkthroughAnswersAsExpected() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int surprises = Walkthrough.run(Walkthrough.steps(setup.iap), partner, setup.gatewayUrl(),
        new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertThat(surprises).as(printed.toString(StandardCharsets.UTF_8)).isZero();
  }

  @Test
  void anAllowedPartnerReachesTheInMeshServiceWithoutItsToken() throws IOException {
    PartnerCall.Answer answer = new PartnerCall(Walkthrough.ACME, "GET", "/orders/42?expand=lines",
        setup.iap.assertion(Walkthrough.ACME)).send(partner, setup.gatewayUrl());
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.servedBy()).isEqualTo("orders");
    assertThat(answer.body()).contains("\"path\":\"/orders/42\"", "\"partner\":\"alice@acme.example\"",
        "\"tls\":false", "\"assertionForwarded\":false", "\"host\":\"partner-api.internal\"");
  }

  @Test
  void rbacDeniesAPartnerAPathItsPolicyLacks() throws IOException {
    PartnerCall.Answer answer = new PartnerCall(Walkthrough.ACME, "GET", "/ledger/balance",
        setup.iap.assertion(Walkthrough.ACME)).send(partner, setup.gatewayUrl());
    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.servedBy()).isNull();
    assertThat(answer.body()).isEqualTo("RBAC: access denied");
  }

  @Test
  void aMissingAssertionIsUnauthenticated() throws IOException {
    PartnerCall.Answer answer = new PartnerCall("-", "GET", "/orders/42", null).send(partner, setup.gatewayUrl());
    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.wwwAuthenticate()).startsWith("Bearer realm=");
    assertThat(answer.body()).isEqualTo("Jwt is missing");
  }

  @Test
  void aForgedAssertionIsUnauthenticated() throws IOException {
    String forged = IapKeys.generate("sample-iap-key-1").assertion(Walkthrough.GLOBEX);
    PartnerCall.Answer answer = new PartnerCall(Walkthrough.GLOBEX, "GET", "/ledger/balance", forged)
        .send(partner, setup.gatewayUrl());
    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.wwwAuthenticate()).contains("error=\"invalid_token\"");
    assertThat(answer.servedBy()).isNull();
  }

  @Test
  void theOnPremisesServiceIsReachedOverOriginatedTls() throws IOException {
    PartnerCall.Answer answer = new PartnerCall(Walkthrough.GLOBEX, "POST", "/ledger/entries",
        setup.iap.assertion(Walkthrough.GLOBEX)).send(partner, setup.gatewayUrl());
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.servedBy()).isEqualTo("ledger");
    assertThat(answer.body()).contains("\"tls\":true", "\"host\":\"ledger.onprem.example\"",
        "\"partner\":\"bob@globex.example\"", "\"method\":\"POST\"", "\"received\":9");
  }

  @Test
  void aLargeRequestBodyIsStreamedToTheBackend() throws Exception {
    CountDownLatch firstPartArrived = new CountDownLatch(1);
    backendReceivedFirstPart.set(firstPartArrived);
    MessageDigest sent = Backend.sha256();
    RequestBody body = new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("application/octet-stream");
      }

      @Override
      public long contentLength() {
        return LARGE;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        for (long written = 0; written < LARGE; written += chunk.length) {
          if (written == FIRST_PART) {
            sink.flush();
            // The rest is written only once the backend has the first part: a buffering gateway never gets here.
            try {
              if (!firstPartArrived.await(60, TimeUnit.SECONDS)) {
                throw new IOException("the backend did not see the first part while the rest was unsent");
              }
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
          }
          Backend.Pattern.fill(chunk, written, chunk.length);
          sent.update(chunk);
          sink.write(chunk);
        }
      }
    };
    try (Response response = partner.newCall(new Request.Builder().url(setup.gatewayUrl() + "/orders/upload")
        .header(PartnerCall.IAP_HEADER, setup.iap.assertion(Walkthrough.ACME)).post(body).build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).contains("\"received\":" + LARGE,
          "\"sha256\":\"" + HexFormat.of().formatHex(sent.digest()) + "\"");
    } finally {
      backendReceivedFirstPart.set(null);
    }
  }

  @Test
  void aLargeResponseBodyIsStreamedToThePartner() throws Exception {
    CountDownLatch firstPartReceived = new CountDownLatch(1);
    partnerReceivedFirstPart.set(firstPartReceived);
    backendWaited.set(false);
    MessageDigest received = Backend.sha256();
    long total = 0;
    try (Response response = partner.newCall(new Request.Builder()
        .url(setup.gatewayUrl() + "/ledger/statement" + Backend.DOWNLOAD_SUFFIX + "?bytes=" + LARGE)
        .header(PartnerCall.IAP_HEADER, setup.iap.assertion(Walkthrough.GLOBEX)).build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("x-served-by")).isEqualTo("ledger");
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = response.body().byteStream()) {
        for (int n; (n = in.read(buffer)) != -1; ) {
          received.update(buffer, 0, n);
          total += n;
          if (total >= FIRST_PART) {
            firstPartReceived.countDown();
          }
        }
      }
    } finally {
      partnerReceivedFirstPart.set(null);
    }
    assertThat(backendWaited.get()).as("the partner got the first part while the backend held the rest").isTrue();
    assertThat(total).isEqualTo(LARGE);
    assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(Backend.Pattern.sha256(LARGE));
  }
}
