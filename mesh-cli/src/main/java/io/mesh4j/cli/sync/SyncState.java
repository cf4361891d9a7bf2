package io.mesh4j.cli.sync;

/**
 * Where an instance stands against the control plane, for one resource or one column; istioctl's words, plus
 * {@code UNKNOWN} for when the control plane did not answer meshctl. Declared from best to worst: a column shows its
 * worst resource.
 */
public enum SyncState {
  /** The instance has what the control plane serves now (or both agree it does not exist). */
  SYNCED,
  /** The control plane has sent the instance nothing of it. */
  NOT_SENT,
  /** meshctl could not learn what is current. */
  UNKNOWN,
  /** The instance has another version than the control plane serves now. */
  STALE,
  /** The instance rejected the control plane's last update. */
  NACKED;

  /** As printed: {@code NOT SENT}. */
  public String label() {
    return name().replace('_', ' ');
  }
}
