package io.mesh4j.spring.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

/** What the chain's filters read of a WebFlux request, and how their header edits reach the application. */
class ReactiveInboundRequestTest {
  private static final DownstreamConnection PLAINTEXT = new DownstreamConnection(new ConnectionFacts(
      new InetSocketAddress("127.0.0.1", 8080), new InetSocketAddress("127.0.0.1", 40000),
      ConnectionFacts.RAW_BUFFER, null, List.of()), null);

  // A URI, not a template: the mock would encode a template's escapes once more.
  private final MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest
      .method(HttpMethod.POST, URI.create("http://catalog.shop:8080/items/a%2Fb?page=2&q=x"))
          .header("X-Tag", "one").header("x-tag", "two").header("Authorization", "Bearer t"));
  private final ReactiveInboundRequest request = new ReactiveInboundRequest(exchange.getRequest(), PLAINTEXT);

  @Test
  void filtersSeeThePseudoHeadersAndJoinedRepeatedHeaders() {
    assertThat(request.header(":method")).isEqualTo("POST");
    assertThat(request.header(":path")).isEqualTo("/items/a%2Fb?page=2&q=x");
    assertThat(request.header(":scheme")).isEqualTo("http");
    assertThat(request.authority()).isEqualTo("catalog.shop:8080");
    assertThat(request.header("x-tag")).isEqualTo("one,two");
    assertThat(request.header("absent")).isNull();
  }

  @Test
  void withoutEditsTheApplicationGetsTheSameExchange() {
    assertThat(request.forApplication(exchange)).isSameAs(exchange);
  }

  @Test
  void editsAreSeenByLaterFiltersAndTheApplicationButNotInTheOriginal() {
    request.headers().remove("Authorization");
    request.headers().set("x-jwt-payload", "eyJzdWIiOiJhIn0");
    request.headers().add("X-Tag", "three");

    assertThat(request.header("authorization")).isNull();
    assertThat(request.headers().has("X-JWT-Payload")).isTrue();
    assertThat(request.header("x-tag")).isEqualTo("one,two,three");
    ServerWebExchange admitted = request.forApplication(exchange);
    assertThat(admitted.getRequest().getHeaders().get("Authorization")).isNull();
    assertThat(admitted.getRequest().getHeaders().getFirst("X-Jwt-Payload")).isEqualTo("eyJzdWIiOiJhIn0");
    assertThat(admitted.getRequest().getHeaders().get("x-tag")).containsExactly("one", "two", "three");
    assertThat(exchange.getRequest().getHeaders().getFirst("Authorization")).isEqualTo("Bearer t");
  }
}
