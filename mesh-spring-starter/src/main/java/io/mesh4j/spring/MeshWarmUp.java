package io.mesh4j.spring;

import io.mesh4j.Mesh;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.engine.FaultDelay;
import io.mesh4j.runtime.engine.RouteStep;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.view.InMemoryRequest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the control plane for the configuration of {@code mesh.warm-up-targets} when the application starts, so their
 * first calls need not wait, and tells the health indicator which of them the control plane has answered for.
 */
public final class MeshWarmUp {
  private final Map<String, CompletableFuture<?>> answers;

  private MeshWarmUp(Map<String, CompletableFuture<?>> answers) {
    this.answers = Collections.unmodifiableMap(answers);
  }

  /** Subscribes each of {@code targets} ("host:port") now; without them, nothing. */
  public static MeshWarmUp start(Mesh mesh, List<String> targets) {
    Map<String, CompletableFuture<?>> answers = new LinkedHashMap<>();
    for (String target : targets) {
      answers.put(target, subscribe(mesh, target));
    }
    return new MeshWarmUp(answers);
  }

  private static CompletableFuture<?> subscribe(Mesh mesh, String target) {
    if (!(mesh instanceof MeshInternals internals)) {
      return CompletableFuture.completedFuture(null);
    }
    // Routing a request the application never sends is how a target's first configuration is asked for; one that
    // routes at once (the target is already known) is given back without being sent.
    try {
      RouteStep step = internals.engine().routeStep(target, InMemoryRequest.get(target, "/"));
      if (step instanceof RouteStep.AwaitConfig await) {
        return await.configured();
      }
      if (step instanceof RoutingDecision decision) {
        decision.complete();
        if (decision.lease() != null) {
          decision.lease().release();
        }
      } else if (step instanceof FaultDelay delay) {
        delay.abandon();
      }
      return CompletableFuture.completedFuture(null);
    } catch (MeshRoutingException e) {
      // The control plane did answer, and the answer is that the target cannot be routed: that is the route's
      // business, not readiness'.
      return CompletableFuture.completedFuture(null);
    }
  }

  /** Per target, whether the control plane has answered for it yet. */
  public Map<String, Boolean> answered() {
    Map<String, Boolean> answered = new LinkedHashMap<>();
    answers.forEach((target, answer) -> answered.put(target, answer.isDone()));
    return answered;
  }
}
