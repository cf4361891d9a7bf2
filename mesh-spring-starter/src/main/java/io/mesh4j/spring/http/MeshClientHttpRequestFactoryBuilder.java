package io.mesh4j.spring.http;

import io.mesh4j.spring.MeshClients;
import java.util.Objects;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;

/**
 * Builds {@link MeshClientHttpRequestFactory}s from Boot's {@link HttpClientSettings}: what a
 * {@code RestTemplateBuilder} is given so its own settings ({@code connectTimeout}, {@code readTimeout},
 * {@code redirects}, {@code sslBundle}) still apply.
 */
public final class MeshClientHttpRequestFactoryBuilder
    implements ClientHttpRequestFactoryBuilder<MeshClientHttpRequestFactory> {
  private final MeshClients clients;

  public MeshClientHttpRequestFactoryBuilder(MeshClients clients) {
    this.clients = Objects.requireNonNull(clients, "clients");
  }

  @Override
  public MeshClientHttpRequestFactory build(HttpClientSettings settings) {
    return new MeshClientHttpRequestFactory(clients, settings);
  }
}
