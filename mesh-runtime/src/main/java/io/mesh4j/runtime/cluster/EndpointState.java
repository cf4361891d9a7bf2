package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.xds.BackoffPolicy;
import io.mesh4j.runtime.model.LbEndpoint;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What is known about one endpoint address beyond the control plane's view: how many requests are in flight to it,
 * and whether it refused connections. Lives in its cluster's {@link ClusterState}, which carries it across rebuilds
 * for as long as the address stays in the cluster, so counts survive config updates. Being shared by every request to
 * the endpoint, it is also the lease those requests hold.
 */
final class EndpointState implements EndpointLease {
  private final ClusterState owner;
  private volatile LbEndpoint endpoint;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicBoolean connectFailed = new AtomicBoolean();
  /** Bumped on every new failure mark and every reset, so a probe from an earlier run stops. */
  private final AtomicLong probeRun = new AtomicLong();

  EndpointState(ClusterState owner, LbEndpoint endpoint) {
    this.owner = owner;
    this.endpoint = endpoint;
  }

  @Override
  public LbEndpoint endpoint() {
    return endpoint;
  }

  void update(LbEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  int active() {
    return active.get();
  }

  EndpointState acquire() {
    active.incrementAndGet();
    return this;
  }

  @Override
  public void release() {
    active.decrementAndGet();
  }

  boolean isConnectFailed() {
    return connectFailed.get();
  }

  /** The data path saw a connection failure: out of rotation, and probed until it accepts connections. */
  @Override
  public void connectFailed() {
    if (!owner.contains(this) || !connectFailed.compareAndSet(false, true)) {
      return;
    }
    long run = probeRun.incrementAndGet();
    owner.healthChanged();
    scheduleProbe(run, owner.environment().probeBackoff().get());
  }

  /** A fresh EDS update: back in rotation; a pending probe stops. */
  void resetConnectivity() {
    probeRun.incrementAndGet();
    connectFailed.set(false);
  }

  private void scheduleProbe(long run, BackoffPolicy backoff) {
    owner.environment().scheduler().schedule(() -> probe(run, backoff), backoff.nextBackoffNanos());
  }

  private void probe(long run, BackoffPolicy backoff) {
    if (probeRun.get() != run || !owner.contains(this)) {
      return;
    }
    LbEndpoint target = endpoint;
    if (owner.environment().connector().canConnect(target.host(), target.port(), owner.connectTimeout())) {
      if (probeRun.get() == run && connectFailed.compareAndSet(true, false)) {
        owner.healthChanged();
      }
      return;
    }
    scheduleProbe(run, backoff);
  }

  @Override
  public String toString() {
    return endpoint.hostPort() + "{active=" + active.get() + (connectFailed.get() ? ", connect-failed" : "") + "}";
  }
}
