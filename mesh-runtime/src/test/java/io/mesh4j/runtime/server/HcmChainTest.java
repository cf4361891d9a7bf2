package io.mesh4j.runtime.server;

import static io.mesh4j.runtime.testing.ServerListeners.chain;
import static io.mesh4j.runtime.testing.ServerListeners.inlineHcm;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.mesh4j.runtime.filter.FilterRegistry;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.listener.ServerFilterChain;
import io.mesh4j.runtime.testing.RequiredHeaderFilter;
import io.mesh4j.runtime.testing.ServerListeners;
import io.mesh4j.runtime.testing.TestInboundRequest;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One chain's HCM in Envoy's order: route, then the filters in order (first reply wins), then the router. */
class HcmChainTest {
  private static final FilterRegistry FILTERS = FilterRegistry.of(List.of(new RequiredHeaderFilter()));

  private static HcmChain hcm(RouteConfiguration routes) throws ResourceInvalidException {
    ServerFilterChain decoded = ListenerType.forMesh(Set.of(), FILTERS, null).decode(
        ServerListeners.listener("inbound", "0.0.0.0", 8080).addFilterChains(chain("c", null, null,
            inlineHcm(routes).toBuilder()
                .addHttpFilters(0, RequiredHeaderFilter.filter("first", "x-first"))
                .addHttpFilters(1, RequiredHeaderFilter.filter("second", "x-second"))
                .build()))
            .build(), DecodeContext.discarding()).server().filterChains().get(0);
    return new HcmChain("c", null, decoded.hcm().inlineRouteTable(), null, decoded.hcm().httpFilters());
  }

  private static RouteConfiguration routes() {
    return RouteConfiguration.newBuilder().setName("r")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains("catalog")
            .addRoutes(Route.newBuilder().setName("moved").setMatch(RouteMatch.newBuilder().setPrefix("/old"))
                .setRedirect(RedirectAction.newBuilder().setPathRedirect("/new")))
            .addRoutes(ServerListeners.nonForwarding("all", "/")))
        .build();
  }

  @Test
  void filtersRunInOrderAndTheFirstReplyWins() throws ResourceInvalidException {
    HcmChain chain = hcm(routes());
    assertThat(chain.handle(TestInboundRequest.post("catalog", "/items")).body()).isEqualTo("missing x-first");
    assertThat(chain.handle(TestInboundRequest.post("catalog", "/items").with("x-first", "1")).body())
        .isEqualTo("missing x-second");
    assertThat(chain.handle(TestInboundRequest.post("catalog", "/items").with("x-first", "1").with("x-second", "2")))
        .isNull();
  }

  @Test
  void filtersRunBeforeTheRoutersOwnAnswersAsInEnvoy() throws ResourceInvalidException {
    HcmChain chain = hcm(routes());
    assertThat(chain.handle(TestInboundRequest.post("elsewhere", "/items")).httpStatus())
        .as("a filter refuses before the router answers no route").isEqualTo(403);
    InboundReply noRoute = chain.handle(TestInboundRequest.post("elsewhere", "/items").with("x-first", "1")
        .with("x-second", "2"));
    assertThat(noRoute.httpStatus()).isEqualTo(404);
    assertThat(noRoute.reason()).contains("NR").contains("elsewhere");

    InboundReply redirect = chain.handle(TestInboundRequest.post("catalog", "/old").with("x-first", "1")
        .with("x-second", "2"));
    assertThat(redirect.httpStatus()).isEqualTo(301);
    assertThat(redirect.headers()).containsEntry("location", "http://catalog/new");
  }

  @Test
  void aChainWhoseRouteConfigurationDoesNotExistAnswers404() throws ResourceInvalidException {
    HcmChain missing = new HcmChain("c", null, null, "NR: route configuration 'r' does not exist", List.of());
    InboundReply reply = missing.handle(TestInboundRequest.post("catalog", "/items"));
    assertThat(reply.httpStatus()).isEqualTo(404);
    assertThat(reply.reason()).isEqualTo("NR: route configuration 'r' does not exist");
  }
}
