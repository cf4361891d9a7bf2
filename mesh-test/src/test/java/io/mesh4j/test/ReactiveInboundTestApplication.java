package io.mesh4j.test;

import io.mesh4j.MeshPeer;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** A WebFlux application whose answers say which path served them and for which mesh peer. */
@SpringBootConfiguration
@EnableAutoConfiguration
@RestController
class ReactiveInboundTestApplication {

  @GetMapping("/catalog")
  Mono<String> catalog(ServerWebExchange exchange) {
    return Mono.just("catalog peer=" + peer(exchange));
  }

  @GetMapping("/admin")
  Mono<String> admin(ServerWebExchange exchange) {
    return Mono.just("admin peer=" + peer(exchange));
  }

  private static String peer(ServerWebExchange exchange) {
    MeshPeer peer = exchange.getAttribute(MeshPeer.REQUEST_ATTRIBUTE);
    return peer == null ? "none" : peer.principalName();
  }
}
