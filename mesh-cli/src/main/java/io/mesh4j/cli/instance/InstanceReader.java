package io.mesh4j.cli.instance;

/**
 * Reads a workload instance's xDS client state. CSDS over gRPC is one way ({@link CsdsInstanceReader}); the
 * admin endpoint's {@code /status} is meant to be another, behind the same interface.
 */
public interface InstanceReader extends AutoCloseable {

  /**
   * Reads the instance at {@code address} ({@code host:port}).
   *
   * @throws InstanceReadException when it cannot be reached or answers something unreadable
   */
  InstanceStatus read(String address) throws InstanceReadException;

  /** Releases connections kept between reads. */
  @Override
  void close();
}
