package io.mesh4j.spring;

import io.mesh4j.MeshConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Turns a mesh that could not start ({@link MeshConfigurationException}: a missing or invalid bootstrap) into a
 * startup report naming the property the bootstrap came from and what is wrong with it.
 */
class MeshBootstrapFailureAnalyzer extends AbstractFailureAnalyzer<MeshConfigurationException> {
  private final Environment environment;

  MeshBootstrapFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, MeshConfigurationException cause) {
    String source = bootstrapSource();
    return new FailureAnalysis(
        "The mesh could not start from " + source + ": " + cause.getMessage(),
        "Fix the bootstrap in " + source + " (a gRPC xDS bootstrap: xds_servers[].server_uri, channel_creds, node),"
            + " or set mesh.enabled=false to run without the mesh.",
        cause);
  }

  String bootstrapSource() {
    if (environment != null) {
      if (environment.getProperty("mesh.bootstrap-file") != null && environment.getProperty("mesh.bootstrap-json") != null) {
        return "the properties mesh.bootstrap-file and mesh.bootstrap-json";
      }
      if (environment.getProperty("mesh.bootstrap-file") != null) {
        return "the property mesh.bootstrap-file (" + environment.getProperty("mesh.bootstrap-file") + ")";
      }
      if (environment.getProperty("mesh.bootstrap-json") != null) {
        return "the property mesh.bootstrap-json";
      }
    }
    return "the environment (GRPC_XDS_BOOTSTRAP, GRPC_XDS_BOOTSTRAP_CONFIG or MESH_BOOTSTRAP; or set"
        + " mesh.bootstrap-file / mesh.bootstrap-json)";
  }
}
