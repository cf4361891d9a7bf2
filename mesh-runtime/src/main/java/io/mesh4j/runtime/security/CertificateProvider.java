package io.mesh4j.runtime.security;

/**
 * A bootstrap {@code certificate_providers} instance: it obtains material (from files, a CA, ...), validates it,
 * and publishes each good generation; bad material never replaces good material. Closed with the mesh.
 */
public interface CertificateProvider extends MaterialSource, AutoCloseable {

  /** How many times new material was found and refused (bad file, CA error, ...). */
  long failures();

  @Override
  void close();
}
