package io.mesh4j.runtime.engine;

import io.mesh4j.MeshRoutingException;
import java.util.concurrent.CompletableFuture;

/**
 * What routing one request gives without waiting ({@link MeshEngine#routeStep}): a {@link RoutingDecision}, a
 * pass-through, the control plane's first answer to wait for, or an injected {@link FaultDelay} to wait out. The
 * transport chooses how to wait (a timer, a future's callback, or, for a blocking client, the calling thread), so the
 * engine itself never holds a thread.
 */
public sealed interface RouteStep permits RoutingDecision, RouteStep.PassThrough, RouteStep.AwaitConfig, FaultDelay {

  /** The target is not in the mesh and may be called directly. */
  enum PassThrough implements RouteStep {
    INSTANCE
  }

  /**
   * The control plane has not answered for the target yet: route again once {@code configured} completes (it never
   * fails), or fail with {@link #timedOut()} when the listener wait ({@code waitNanos}) passes first.
   */
  record AwaitConfig(String target, CompletableFuture<?> configured, long waitNanos) implements RouteStep {
    /** {@code NO_LISTENER}: the control plane did not answer within the listener wait. */
    public MeshRoutingException timedOut() {
      return MeshEngine.noListener(target, waitNanos);
    }
  }
}
