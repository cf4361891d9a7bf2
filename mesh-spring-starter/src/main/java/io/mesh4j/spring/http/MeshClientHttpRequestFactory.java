package io.mesh4j.spring.http;

import io.mesh4j.spring.MeshClients;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * Spring's blocking HTTP clients ({@code RestClient}, {@code RestTemplate}) over the mesh's OkHttp client: each request
 * goes through the mesh's interceptor (routes, balancing, retries, mTLS), bodies are streamed both ways. Hosts opted
 * out with {@code mesh.clients.<host>.enabled=false} go through the same OkHttp configuration without the mesh.
 *
 * <p>Spring Framework 7 has no OkHttp request factory of its own; this is a small one, built from Boot's
 * {@link HttpClientSettings} (connect and read timeouts, redirects, SSL bundle for the application's own
 * {@code https://} calls).
 */
public final class MeshClientHttpRequestFactory implements ClientHttpRequestFactory {
  private final OkHttpClient routed;
  private final OkHttpClient direct;
  private final MeshClients clients;

  public MeshClientHttpRequestFactory(MeshClients clients, HttpClientSettings settings) {
    this.clients = Objects.requireNonNull(clients, "clients");
    UnaryOperator<OkHttpClient.Builder> configure = builder -> apply(builder, settings);
    this.routed = configure.apply(clients.routed().newBuilder()).build();
    this.direct = configure.apply(clients.direct().newBuilder()).build();
  }

  @Override
  public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) {
    OkHttpClient client = clients.routes(uri.getHost()) ? routed : direct;
    return new MeshClientHttpRequest(client, uri, httpMethod);
  }

  /** The OkHttp client requests to mesh hosts go through (for tests and diagnostics). */
  OkHttpClient routedClient() {
    return routed;
  }

  static OkHttpClient.Builder apply(OkHttpClient.Builder builder, HttpClientSettings settings) {
    if (settings == null) {
      return builder;
    }
    Duration connectTimeout = settings.connectTimeout();
    if (connectTimeout != null) {
      builder.connectTimeout(connectTimeout);
    }
    Duration readTimeout = settings.readTimeout();
    if (readTimeout != null) {
      builder.readTimeout(readTimeout);
    }
    if (settings.redirects() != null) {
      boolean follow = settings.redirects() != HttpRedirects.DONT_FOLLOW;
      builder.followRedirects(follow).followSslRedirects(follow);
    }
    SslBundle bundle = settings.sslBundle();
    if (bundle != null) {
      SSLContext context = bundle.createSslContext();
      builder.sslSocketFactory(context.getSocketFactory(), x509TrustManager(bundle));
    }
    return builder;
  }

  private static X509TrustManager x509TrustManager(SslBundle bundle) {
    for (TrustManager manager : bundle.getManagers().getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new IllegalStateException("SSL bundle has no X509TrustManager: " + bundle);
  }
}
