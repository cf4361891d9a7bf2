package io.mesh4j.cli;

import io.mesh4j.runtime.testing.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;

/**
 * The Kubernetes API server's stand-in: a real HTTPS server on loopback (a certificate for {@code localhost} from a
 * test CA, written to {@link #caFile()}) that answers each request with the next scripted response, and records what
 * meshctl asked.
 */
final class FakeKubernetesApi implements AutoCloseable {
  private static final char[] PASSWORD = "test".toCharArray();

  private final MockWebServer server = new MockWebServer();
  private final Path caFile;

  /** Over HTTPS, its CA in {@code dir}. */
  static FakeKubernetesApi https(Path dir) {
    return new FakeKubernetesApi(dir, true);
  }

  /** Over plain HTTP, as {@code kubectl proxy} serves it. */
  static FakeKubernetesApi plain() {
    return new FakeKubernetesApi(null, false);
  }

  private FakeKubernetesApi(Path dir, boolean tls) {
    try {
      if (tls) {
        TestPki.Ca ca = TestPki.root("kube-ca");
        TestPki.Leaf leaf = ca.leaf().dns("localhost").issue();
        caFile = Files.writeString(dir.resolve("kube-ca.crt"), TestPki.pem(ca.certificate()));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("api", leaf.privateKey(), PASSWORD, leaf.chain().toArray(new Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        server.useHttps(context.getSocketFactory());
      } else {
        caFile = null;
      }
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What meshctl gives as {@code --kube-api}: {@code https://localhost:port}, the name the certificate carries. */
  String url() {
    String url = server.url("/").toString();
    return url.substring(0, url.length() - 1);
  }

  int port() {
    return server.getPort();
  }

  Path caFile() {
    return caFile;
  }

  /** The next answer: {@code code} with a JSON body. */
  void answer(int code, String json) {
    server.enqueue(new MockResponse(code, Headers.of("Content-Type", "application/json"), json));
  }

  /** A {@code PodList} of the pods given as JSON objects. */
  static String podList(String... pods) {
    return "{\"kind\": \"PodList\", \"apiVersion\": \"v1\", \"metadata\": {\"resourceVersion\": \"1\"}, "
        + "\"items\": [" + String.join(", ", pods) + "]}";
  }

  /** A pod as the API lists it (with the fields meshctl ignores too); {@code ip} {@code null} for none yet. */
  static String pod(String name, String namespace, String phase, String ip) {
    return "{\"metadata\": {\"name\": \"" + name + "\", \"namespace\": \"" + namespace + "\", "
        + "\"labels\": {\"app\": \"catalog\"}, \"annotations\": {\"sidecar.istio.io/inject\": \"false\"}}, "
        + "\"spec\": {\"containers\": [{\"name\": \"app\", \"image\": \"catalog:1\"}]}, "
        + "\"status\": {\"phase\": \"" + phase + "\"" + (ip == null ? "" : ", \"podIP\": \"" + ip + "\", "
        + "\"podIPs\": [{\"ip\": \"" + ip + "\"}]") + "}}";
  }

  /** A Kubernetes {@code Status} failure, as the API server answers 401 and 403. */
  static String status(int code, String reason, String message) {
    return "{\"kind\": \"Status\", \"apiVersion\": \"v1\", \"metadata\": {}, \"status\": \"Failure\", "
        + "\"message\": \"" + message.replace("\"", "\\\"") + "\", \"reason\": \"" + reason + "\", \"code\": "
        + code + "}";
  }

  /** The request meshctl made, waited for. */
  RecordedRequest request() throws InterruptedException {
    RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
    if (request == null) {
      throw new AssertionError("no request reached the Kubernetes API");
    }
    return request;
  }

  int requestCount() {
    return server.getRequestCount();
  }

  @Override
  public void close() {
    server.close();
  }
}
