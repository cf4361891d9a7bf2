package io.mesh4j.test;

import io.mesh4j.MeshPeer;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A Spring MVC application whose answers say which path served them and for which mesh peer. */
@SpringBootConfiguration
@EnableAutoConfiguration
@RestController
class InboundTestApplication {

  @GetMapping("/catalog")
  String catalog(HttpServletRequest request) {
    return "catalog peer=" + peer(request);
  }

  @GetMapping("/admin")
  String admin(HttpServletRequest request) {
    return "admin peer=" + peer(request);
  }

  private static String peer(HttpServletRequest request) {
    MeshPeer peer = (MeshPeer) request.getAttribute(MeshPeer.REQUEST_ATTRIBUTE);
    return peer == null ? "none" : peer.principalName();
  }
}
