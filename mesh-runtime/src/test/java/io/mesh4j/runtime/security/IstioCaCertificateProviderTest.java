package io.mesh4j.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.runtime.testing.LoopbackIstioCa;
import io.mesh4j.runtime.testing.LoopbackIstioCa.Auth;
import io.mesh4j.runtime.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code istio_ca} provider against a real loopback CA speaking Istio's gRPC API over TLS. */
class IstioCaCertificateProviderTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/web";
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final TestPki.Ca root = TestPki.root("istio-ca");
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private LoopbackIstioCa ca;
  private Path token;
  private Path rootFile;

  @BeforeEach
  void start() throws Exception {
    ca = LoopbackIstioCa.start(root, "good-token");
    closeables.add(ca);
    token = dir.resolve("istio-token");
    Files.writeString(token, "good-token\n");
    rootFile = dir.resolve("root-cert.pem");
    Files.writeString(rootFile, TestPki.pem(root.certificate()));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private Map<String, Object> config(String validity, double fraction) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("ca_address", ca.address());
    config.put("ca_root_file", rootFile.toString());
    config.put("token_file", token.toString());
    config.put("identity", ID);
    config.put("validity", validity);
    config.put("rotation_fraction", fraction);
    config.put("retry_initial_backoff", "0.1s");
    config.put("retry_max_backoff", "0.4s");
    config.put("request_timeout", "2s");
    return config;
  }

  private IstioCaCertificateProvider provider(Map<String, Object> config) {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    IstioCaCertificateProvider provider = new IstioCaCertificateProvider("ca",
        IstioCaConfig.parse("ca", config, Struct.getDefaultInstance()), scheduler, true, Clock.systemUTC(), () -> 0.5);
    closeables.add(0, provider);
    return provider;
  }

  private static String serial(CertificateMaterial material) {
    return material.certificateChain().get(0).getSerialNumber().toString(16);
  }

  @Test
  void firstCertificateIsIssuedForTheBearerTokenWithAnEcKeyTheSpiffeIdAndTheRoots() throws Exception {
    IstioCaCertificateProvider provider = provider(config("60s", 0.5));
    provider.ready().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

    CertificateMaterial material = provider.current();
    X509Certificate leaf = material.certificateChain().get(0);
    assertThat(material.privateKey().getAlgorithm()).isEqualTo("EC");
    assertThat(leaf.getSubjectAlternativeNames()).anySatisfy(n -> assertThat(List.copyOf(n)).isEqualTo(List.of(6, ID)));
    assertThat(material.trustedCertificates()).containsExactly(root.certificate());
    assertThat(ca.issued()).singleElement().satisfies(i -> {
      assertThat(i.auth()).isEqualTo(Auth.TOKEN);
      assertThat(i.identity()).isEqualTo(ID);
      assertThat(i.serial()).isEqualTo(serial(material));
      assertThat(Duration.between(i.notBefore(), i.notAfter())).isEqualTo(Duration.ofSeconds(60));
    });
    // Renewal is planned for half the lifetime (the default fraction, as Istio's agent).
    assertThat(provider.plannedRenewal()).isEqualTo(leaf.getNotBefore().toInstant().plusSeconds(30));
    assertThat(material.toString()).doesNotContain("PRIVATE");
  }

  @Test
  void renewalIsPlannedAtTheConfiguredFractionOfTheLifetime() throws Exception {
    IstioCaCertificateProvider provider = provider(config("100s", 0.8));
    provider.ready().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    Instant notBefore = provider.current().certificateChain().get(0).getNotBefore().toInstant();
    assertThat(provider.plannedRenewal()).isEqualTo(notBefore.plusSeconds(80));
  }

  @Test
  void renewsAtTheFractionPresentingTheCurrentCertificateInsteadOfTheToken() throws Exception {
    IstioCaCertificateProvider provider = provider(config("2s", 0.5));
    provider.ready().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    String first = serial(provider.current());
    // Without the token the CA can only have authenticated the renewals by their client certificate.
    Files.delete(token);

    await().atMost(WAIT).until(() -> ca.issued().size() >= 3);
    List<LoopbackIstioCa.Issued> issued = ca.issued();
    assertThat(issued.get(0).auth()).isEqualTo(Auth.TOKEN);
    assertThat(issued.subList(1, issued.size())).allSatisfy(i -> assertThat(i.auth()).isEqualTo(Auth.CLIENT_CERTIFICATE));
    await().atMost(WAIT).untilAsserted(() -> assertThat(serial(provider.current())).isNotEqualTo(first));
    // Each renewal came about half-way through its predecessor's 2 s life: 1 s later, give or take the CA's
    // whole-second timestamps (so between 0 and 2 s apart, never at expiry or after it).
    for (int i = 1; i < issued.size(); i++) {
      Duration gap = Duration.between(issued.get(i - 1).notBefore(), issued.get(i).notBefore());
      assertThat(gap).isBetween(Duration.ZERO, Duration.ofSeconds(2));
    }
    assertThat(provider.failures()).isZero();
  }

  @Test
  void aBadTokenIsRefusedWithAClearErrorAndTheFileIsReadAgainOnTheNextTry() throws Exception {
    Files.writeString(token, "stale-token");
    IstioCaCertificateProvider provider = provider(config("60s", 0.5));

    await().atMost(WAIT).until(() -> provider.failures() >= 1);
    assertThat(provider.ready()).isNotDone();
    assertThat(provider.current()).isNull();
    assertThat(provider.description()).contains("istio_ca at " + ca.address())
        .contains("refused the first request (bearer token): UNAUTHENTICATED: bad bearer token")
        .doesNotContain("stale-token");

    Files.writeString(token, "good-token");
    provider.ready().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(ca.issued()).singleElement().extracting(LoopbackIstioCa.Issued::auth).isEqualTo(Auth.TOKEN);
    assertThat(provider.lastError()).isNull();
  }

  @Test
  void aMissingTokenFileIsNamed() {
    token = dir.resolve("no-such-token");
    IstioCaCertificateProvider provider = provider(config("60s", 0.5));
    await().atMost(WAIT).until(() -> provider.failures() >= 1);
    assertThat(provider.description()).contains("token_file " + token + ": cannot read (NoSuchFileException)");
    assertThat(ca.issued()).isEmpty();
  }

  @Test
  void theCaDownAtFirstIssueIsAClearErrorAndRetriedUntilItIsBack() throws Exception {
    ca.down();
    IstioCaCertificateProvider provider = provider(config("60s", 0.5));

    await().atMost(WAIT).until(() -> provider.failures() >= 2);
    assertThat(provider.ready()).isNotDone();
    assertThat(provider.description()).contains("refused the first request (bearer token): UNAVAILABLE");

    ca.up();
    provider.ready().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(provider.current().hasIdentity()).isTrue();
  }

  @Test
  void theCaDownAtRenewalKeepsTheCurrentCertificateUntilItIsBack() throws Exception {
    IstioCaCertificateProvider provider = provider(config("4s", 0.25));
    provider.ready().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    CertificateMaterial first = provider.current();
    ca.failWith(Status.UNAVAILABLE.withDescription("CA restarting"));

    await().atMost(WAIT).until(() -> provider.failures() >= 2);
    assertThat(provider.current()).isSameAs(first);
    assertThat(provider.description()).contains("refused the renewal (client certificate): UNAVAILABLE: CA restarting");

    ca.failWith(null);
    await().atMost(WAIT).until(() -> provider.current() != first);
    assertThat(ca.issued().get(ca.issued().size() - 1).auth()).isEqualTo(Auth.CLIENT_CERTIFICATE);
    assertThat(provider.lastError()).isNull();
  }

  @Test
  void aRenewalRefusedForItsCertificateFallsBackToTheToken() throws Exception {
    IstioCaCertificateProvider provider = provider(config("2s", 0.5));
    provider.ready().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    ca.refuseClientCertificates(true);

    await().atMost(WAIT).until(() -> ca.issued().size() >= 2);
    assertThat(provider.failures()).isPositive();
    assertThat(ca.issued().get(1).auth()).isEqualTo(Auth.TOKEN);
  }

  @Test
  void aCaWhoseCertificateIsNotFromTheRootsIsNotTrusted() throws Exception {
    Files.writeString(rootFile, TestPki.pem(TestPki.root("other").certificate()));
    IstioCaCertificateProvider provider = provider(config("60s", 0.5));
    await().atMost(WAIT).until(() -> provider.failures() >= 1);
    assertThat(provider.description()).contains("UNAVAILABLE");
    assertThat(ca.issued()).isEmpty();
  }

  @Test
  void rsaKeysOnRequest() throws Exception {
    Map<String, Object> config = config("60s", 0.5);
    config.put("key_type", "RSA_2048");
    IstioCaCertificateProvider provider = provider(config);
    provider.ready().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(provider.current().privateKey().getAlgorithm()).isEqualTo("RSA");
  }

  @Test
  void backOffDoublesUpToTheCapWithJitter() {
    IstioCaCertificateProvider provider = provider(config("60s", 0.5));
    // random() is 0.5: half the step fixed plus a quarter of it.
    assertThat(provider.backoff(0)).isEqualTo(Duration.ofMillis(75));
    assertThat(provider.backoff(1)).isEqualTo(Duration.ofMillis(150));
    assertThat(provider.backoff(2)).isEqualTo(Duration.ofMillis(300));
    assertThat(provider.backoff(3)).isEqualTo(Duration.ofMillis(300));
    assertThat(provider.backoff(100)).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void theDefaultIdentityComesFromTheNodeMetadata() {
    Map<String, Object> config = config("60s", 0.5);
    config.remove("identity");
    config.put("trust_domain", "example.org");
    Struct metadata = Struct.newBuilder()
        .putFields("NAMESPACE", Value.newBuilder().setStringValue("shop").build())
        .putFields("SERVICE_ACCOUNT", Value.newBuilder().setStringValue("web").build()).build();
    assertThat(IstioCaConfig.parse("ca", config, metadata).identity()).isEqualTo("spiffe://example.org/ns/shop/sa/web");
    assertThatThrownBy(() -> IstioCaConfig.parse("ca", config, Struct.getDefaultInstance()))
        .isInstanceOf(MeshConfigurationException.class)
        .hasMessageContaining("certificate_providers.ca.config.identity: not set");
  }

  @Test
  void badConfigIsRefusedNamingTheField() {
    assertConfigError(c -> c.put("colour", "blue"), "certificate_providers.ca.config.colour: unknown field");
    assertConfigError(c -> c.remove("ca_address"), "ca_address: required");
    assertConfigError(c -> c.put("ca_address", "istiod"), "ca_address: 'istiod' is not host:port");
    assertConfigError(c -> c.remove("token_file"), "token_file: required");
    assertConfigError(c -> c.remove("ca_root_file"), "ca_root_file: required");
    assertConfigError(c -> c.put("identity", "web"), "identity: 'web' is not a spiffe:// URI");
    assertConfigError(c -> c.put("key_type", "DSA"), "key_type: 'DSA' is not one of [EC_P256, RSA_2048]");
    assertConfigError(c -> c.put("rotation_fraction", 1.0), "rotation_fraction: must be a number between 0 and 1");
    assertConfigError(c -> c.put("rotation_fraction", 0), "rotation_fraction: must be a number between 0 and 1");
    assertConfigError(c -> c.put("validity", "0.5s"), "validity: must be at least 1s");
    assertConfigError(c -> c.put("retry_max_backoff", "0.05s"), "retry_max_backoff: must not be below");
  }

  private void assertConfigError(java.util.function.Consumer<Map<String, Object>> change, String message) {
    Map<String, Object> config = config("60s", 0.5);
    change.accept(config);
    assertThatThrownBy(() -> IstioCaConfig.parse("ca", config, Struct.getDefaultInstance()))
        .isInstanceOf(MeshConfigurationException.class).hasMessageContaining(message);
  }

  @Test
  void theProtocolRoundTripsAndSkipsUnknownFields() throws Exception {
    Struct metadata = Struct.newBuilder().putFields("ClusterID", Value.newBuilder().setStringValue("k1").build())
        .build();
    byte[] request = IstioCaProtocol.encode(new IstioCaProtocol.Request("csr-pem", 3600, metadata));
    ByteArrayOutputStream withUnknown = new ByteArrayOutputStream();
    withUnknown.write(request);
    com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(withUnknown);
    out.writeString(9, "future field");
    out.flush();
    assertThat(IstioCaProtocol.decodeRequest(new ByteArrayInputStream(withUnknown.toByteArray())))
        .isEqualTo(new IstioCaProtocol.Request("csr-pem", 3600, metadata));
    IstioCaProtocol.Response response = new IstioCaProtocol.Response(List.of("leaf", "root"));
    assertThat(IstioCaProtocol.decodeResponse(new ByteArrayInputStream(IstioCaProtocol.encode(response))))
        .isEqualTo(response);
  }
}
