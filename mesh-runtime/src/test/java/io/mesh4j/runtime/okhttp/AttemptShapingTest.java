package io.mesh4j.runtime.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.model.LbEndpoint;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

class AttemptShapingTest {

  @Test
  void anEndpointsUrlIsTheRequestsWithOnlyHostAndPortChanged() {
    LbEndpoint ip = new LbEndpoint("10.0.0.7", 9080, 1, true);
    LbEndpoint v6 = new LbEndpoint("fd00::7", 9080, 1, true);
    LbEndpoint named = new LbEndpoint("Pod-7.Catalog.svc", 80, 1, true);
    for (String url : new String[] {
        "http://catalog.svc:8080/items/42",
        "http://catalog.svc:8080/",
        "http://catalog.svc/a%20b/c%2Fd?x=1&y=%2F&z",
        "http://catalog.svc:8080/items?",
        "http://user:p%40ss@catalog.svc:8080/items#part",
        "http://catalog.svc:8080/caf%C3%A9/?q=%E2%82%AC"}) {
      HttpUrl request = HttpUrl.get(url);
      for (LbEndpoint endpoint : new LbEndpoint[] {ip, v6, named, ip}) {
        HttpUrl expected = request.newBuilder().host(endpoint.host()).port(endpoint.port()).build();
        assertThat(AttemptShaping.onEndpoint(request, endpoint).build()).isEqualTo(expected);
        assertThat(AttemptShaping.onEndpoint(request, endpoint).build().toString()).isEqualTo(expected.toString());
      }
    }
  }

  @Test
  void theAttemptUrlLastMadeOnAnEndpointIsKeptForTheSameRequestUrlAndOnlyForIt() {
    LbEndpoint one = new LbEndpoint("10.0.0.8", 9080, 1, true);
    LbEndpoint other = new LbEndpoint("10.0.0.9", 9080, 1, true);
    HttpUrl items = HttpUrl.get("http://catalog.svc:8080/items/42?x=1");

    HttpUrl first = url(items, one);
    HttpUrl again = url(HttpUrl.get("http://catalog.svc:8080/items/42?x=1"), one);
    HttpUrl elsewhere = url(items, other);
    HttpUrl otherPath = url(HttpUrl.get("http://catalog.svc:8080/items/43?x=1"), one);
    HttpUrl rewritten = AttemptShaping.url(items, view(items), "/v2/items/42?y=2", one);

    assertThat(first).hasToString("http://10.0.0.8:9080/items/42?x=1");
    assertThat(again).isSameAs(first);
    assertThat(elsewhere).hasToString("http://10.0.0.9:9080/items/42?x=1");
    assertThat(otherPath).hasToString("http://10.0.0.8:9080/items/43?x=1");
    assertThat(rewritten).hasToString("http://10.0.0.8:9080/v2/items/42?y=2");
    // The last one made on the endpoint without a rewrite is the one kept.
    assertThat(url(HttpUrl.get("http://catalog.svc:8080/items/43?x=1"), one)).isSameAs(otherPath);
    assertThat(url(items, one)).isNotSameAs(first).isEqualTo(first);
  }

  private static HttpUrl url(HttpUrl url, LbEndpoint endpoint) {
    return AttemptShaping.url(url, view(url), null, endpoint);
  }

  private static OkHttpRequestView view(HttpUrl url) {
    return new OkHttpRequestView(new Request.Builder().url(url).build());
  }
}
