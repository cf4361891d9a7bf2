package io.mesh4j.cli.instance;

/**
 * Reads each instance the way its address says ({@link InstanceAddress}): {@code http://} on its admin endpoint,
 * {@code csds://} over CSDS, and a bare {@code host:port} on its admin endpoint unless that port does not speak
 * HTTP/1.1, then over CSDS (a gRPC server drops an HTTP/1.1 request at once, so the detour is short).
 */
public final class ChoosingInstanceReader implements InstanceReader {
  private final AdminInstanceReader admin;
  private final CsdsInstanceReader csds;

  public ChoosingInstanceReader(AdminInstanceReader admin, CsdsInstanceReader csds) {
    this.admin = admin;
    this.csds = csds;
  }

  @Override
  public InstanceStatus read(String address) throws InstanceReadException {
    InstanceAddress parsed = InstanceAddress.parse(address);
    switch (parsed.way()) {
      case ADMIN:
        return relabel(admin.read(parsed.hostPort()), address);
      case CSDS:
        return relabel(csds.read(parsed.hostPort()), address);
      default:
        try {
          return admin.read(address);
        } catch (InstanceReadException notAdmin) {
          if (notAdmin instanceof AdminInstanceReader.NotAnAdminEndpoint) {
            // It answered HTTP, just not as a mesh4j admin endpoint: CSDS there would not answer either.
            throw notAdmin;
          }
          try {
            return csds.read(address);
          } catch (InstanceReadException notCsds) {
            throw new InstanceReadException(notAdmin.getMessage() + "; " + notCsds.getMessage(), notCsds);
          }
        }
    }
  }

  /** The status under the address as the user wrote it, so that rows match what was asked. */
  private static InstanceStatus relabel(InstanceStatus status, String address) {
    return new InstanceStatus(address, status.node(), status.controlPlane(), status.resources(),
        status.ignoredFields(), status.readVia());
  }

  @Override
  public void close() {
    admin.close();
    csds.close();
  }
}
