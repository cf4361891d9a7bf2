package io.mesh4j.samples.spring;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.mesh4j.spring.grpc.MeshGrpcChannels;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * {@code GET /catalog}: one call to the catalog service through the mesh (90/10 between v1 and v2; a request with
 * {@code x-feature: new-search} always goes to v2); the answer says which version served it. {@code GET /inventory}:
 * one gRPC call through the mesh.
 */
@RestController
class CatalogController {
  private final RestClient catalog;
  private final ManagedChannel inventory;

  CatalogController(RestClient.Builder builder, MeshGrpcChannels channels,
      @Value("${sample.catalog-url}") String catalogUrl, @Value("${sample.inventory-target}") String inventoryTarget) {
    this.catalog = builder.baseUrl(catalogUrl).build();
    this.inventory = channels.channel(inventoryTarget);
  }

  @GetMapping("/catalog")
  ResponseEntity<Map<String, Object>> catalog(@RequestHeader(name = "x-feature", required = false) String feature) {
    ResponseEntity<Map<String, Object>> answer = catalog.get().uri("/items")
        .headers(headers -> {
          if (feature != null) {
            headers.add("x-feature", feature);
          }
        })
        .retrieve().toEntity(new ParameterizedTypeReference<Map<String, Object>>() {});
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("servedBy", answer.getHeaders().getFirst("x-catalog-version"));
    body.put("catalog", answer.getBody());
    return ResponseEntity.ok(body);
  }

  @GetMapping("/inventory")
  Map<String, Object> inventory(@RequestParam(defaultValue = "espresso") String item) {
    String answer = ClientCalls.blockingUnaryCall(inventory, InventoryGrpc.COUNT,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), item);
    return Map.of("answer", answer);
  }
}
