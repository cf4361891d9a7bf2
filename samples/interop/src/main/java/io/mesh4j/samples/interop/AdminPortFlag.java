package io.mesh4j.samples.interop;

import io.mesh4j.Mesh;
import io.mesh4j.MeshBuilder;

/**
 * {@code --admin_port=N}, taken by the interop client and server: the mesh's admin endpoint ({@code /stats/prometheus},
 * {@code /config_dump}, {@code /status}, {@code /healthz/ready}) on {@code N} (0: any free port), as
 * {@code MeshBuilder.adminPort} says. Without the flag the environment decides ({@code MESH4J_ADMIN_PORT}), as for any
 * mesh.
 */
final class AdminPortFlag {
  static final String NAME = "admin_port";

  private AdminPortFlag() {}

  /** {@code builder} with the flag's admin port, when given. */
  static MeshBuilder apply(Flags flags, MeshBuilder builder) {
    if (flags.has(NAME)) {
      int port = flags.integer(NAME, -1);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--admin_port must be 0 (any free port) or a port, got " + port);
      }
      builder.adminPort(port);
    }
    return builder;
  }

  /** The mesh from the environment's bootstrap, with the flag's admin port; says where that listens. */
  static Mesh meshFromEnvironment(Flags flags) {
    Mesh mesh = apply(flags, Mesh.builder()).build();
    String admin = describe(mesh);
    if (admin != null) {
      System.out.println(admin);
    }
    return mesh;
  }

  /** A line saying where the admin endpoint listens, or null when it is off. */
  static String describe(Mesh mesh) {
    return mesh.adminAddress().map(a -> "admin endpoint on http://" + a.getHostString() + ":" + a.getPort()
        + " (/stats/prometheus /config_dump /status /healthz/ready)").orElse(null);
  }
}
