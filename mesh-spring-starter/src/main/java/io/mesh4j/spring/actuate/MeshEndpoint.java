package io.mesh4j.spring.actuate;

import io.mesh4j.Mesh;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/mesh}: what the mesh subscribed to, each resource's version, state and NACK error, and the fields
 * accepted without being acted on; {@code /actuator/mesh/config}: the config dump, secrets redacted.
 */
@Endpoint(id = "mesh")
public class MeshEndpoint {
  private final Mesh mesh;

  public MeshEndpoint(Mesh mesh) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
  }

  @ReadOperation
  public Map<String, Object> status() {
    return MeshStatusView.of(mesh.status());
  }

  /** {@code config}: the config dump; any other name is not found. */
  @ReadOperation
  public Map<String, Object> part(@Selector String part) {
    return "config".equals(part) ? MeshConfigDump.of(mesh) : null;
  }
}
