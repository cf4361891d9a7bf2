package io.mesh4j.samples.spring;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample: {@code java -jar mesh4j-spring-sample.jar --server.port=18095} starts the backends, a local control
 * plane and this application, which calls the catalog through the mesh with {@code RestClient} and the inventory
 * with a gRPC channel, and serves {@code GET /catalog}, {@code GET /inventory} and actuator's {@code health},
 * {@code mesh} and {@code prometheus}, its port under a server listener whose RBAC denies {@code /admin}.
 */
@SpringBootApplication
public class SampleApplication {
  private static final Logger log = LoggerFactory.getLogger(SampleApplication.class);

  public static void main(String[] args) throws Exception {
    // inbound.yaml names the server listener of the port the application serves.
    System.setProperty("sample.server.port", serverPort(args));
    LocalMesh mesh;
    try {
      mesh = LocalMesh.start();
    } catch (Exception e) {
      log.error("cannot start the local mesh", e);
      // The backends' servers are not daemon threads: leave rather than hang.
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(mesh::close, "local-mesh-shutdown"));
    SpringApplication application = new SpringApplication(SampleApplication.class);
    // The application's own properties (or --mesh.bootstrap-json) still win over this default.
    application.setDefaultProperties(Map.of("mesh.bootstrap-json", mesh.bootstrapJson()));
    try {
      application.run(args);
    } catch (RuntimeException e) {
      System.exit(1);
    }
    log.info("Routes are served from {}: edit routes.yaml and save to change the split live.", mesh.configDir());
  }

  /** {@code --server.port=N} from the command line, else Boot's default. */
  private static String serverPort(String[] args) {
    for (String arg : args) {
      if (arg.startsWith("--server.port=")) {
        return arg.substring("--server.port=".length());
      }
    }
    return "8080";
  }
}
