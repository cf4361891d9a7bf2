package io.mesh4j.samples.spring;

/**
 * The services the sample calls, each on a loopback port chosen at start: catalog v1 and v2 (HTTP) and inventory
 * (gRPC). Started once per JVM; their ports are published as the system properties the bundled YAML names
 * ({@code sample.catalog-v1.port}, {@code sample.catalog-v2.port}, {@code sample.inventory.port}).
 */
public final class SampleBackends {
  private static SampleBackends shared;

  private final CatalogBackend v1 = new CatalogBackend("v1");
  private final CatalogBackend v2 = new CatalogBackend("v2");
  private final InventoryBackend inventory = new InventoryBackend();

  private SampleBackends() {
    System.setProperty("sample.catalog-v1.port", Integer.toString(v1.port()));
    System.setProperty("sample.catalog-v2.port", Integer.toString(v2.port()));
    System.setProperty("sample.inventory.port", Integer.toString(inventory.port()));
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "sample-backends-shutdown"));
  }

  /** The backends of this JVM, started on first use. */
  public static synchronized SampleBackends shared() {
    if (shared == null) {
      shared = new SampleBackends();
    }
    return shared;
  }

  private void close() {
    v1.close();
    v2.close();
    inventory.close();
  }
}
