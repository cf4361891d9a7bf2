package io.mesh4j.cli.sync;

import io.mesh4j.cli.current.CurrentResource;
import io.mesh4j.cli.instance.InstanceResource;
import io.mesh4j.cli.xds.ResourceContent;

/**
 * One resource of an instance against the control plane.
 *
 * @param resource what the instance reports
 * @param current what the control plane serves now, or {@code null} when it did not answer meshctl
 * @param state the verdict
 * @param text the verdict as printed: {@code SYNCED}, {@code STALE (3 vs 4)}, {@code NACKED (<error>)}, ...
 */
public record ResourceSync(InstanceResource resource, CurrentResource current, SyncState state, String text) {

  /** The verdict for one resource. */
  public static ResourceSync of(InstanceResource resource, CurrentResource current) {
    String theirs = resource.version().isEmpty() ? "-" : resource.version();
    switch (resource.state()) {
      case NACKED:
        return new ResourceSync(resource, current, SyncState.NACKED, "NACKED (" + resource.errorDetail() + ")");
      case REQUESTED:
        if (current == null || !current.exists()) {
          return new ResourceSync(resource, current, SyncState.NOT_SENT, SyncState.NOT_SENT.label());
        }
        return stale(resource, current, theirs);
      case DOES_NOT_EXIST:
        if (current == null) {
          return new ResourceSync(resource, null, SyncState.NOT_SENT, SyncState.NOT_SENT.label());
        }
        return current.exists() ? stale(resource, current, "absent") : synced(resource, current);
      default:
        if (current == null) {
          return new ResourceSync(resource, null, SyncState.UNKNOWN, "UNKNOWN (" + theirs + " vs ?)");
        }
        if (!current.exists()) {
          return stale(resource, current, theirs);
        }
        // Versions are the control plane's labels for its pushes, and need not match across streams (a push that
        // did not concern this instance leaves it an older label); the same resource under another label is synced.
        boolean same = current.version().equals(resource.version())
            || ResourceContent.same(resource.resource(), current.resource());
        return same ? synced(resource, current) : stale(resource, current, theirs);
    }
  }

  private static ResourceSync synced(InstanceResource resource, CurrentResource current) {
    return new ResourceSync(resource, current, SyncState.SYNCED, SyncState.SYNCED.label());
  }

  private static ResourceSync stale(InstanceResource resource, CurrentResource current, String theirs) {
    String now = current.exists() ? current.version() : "absent";
    return new ResourceSync(resource, current, SyncState.STALE, "STALE (" + theirs + " vs " + now + ")");
  }
}
