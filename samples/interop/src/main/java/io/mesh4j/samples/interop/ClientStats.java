package io.mesh4j.samples.interop;

import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.mesh4j.samples.interop.proto.LoadBalancerAccumulatedStatsRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerAccumulatedStatsResponse;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse.MetadataEntry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's bookkeeping and {@code grpc.testing.LoadBalancerStatsService}: {@code GetClientStats} watches the next
 * {@code num_rpcs} RPCs sent (by id, so RPCs already in flight are not counted) and answers when they have all ended
 * or {@code timeout_sec} passed; {@code GetClientAccumulatedStats} gives totals since start.
 */
final class ClientStats {
  private final Object lock = new Object();
  private long nextId;
  private final List<Watcher> watchers = new ArrayList<>();
  private final Map<RpcType, AtomicInteger> started = new EnumMap<>(RpcType.class);
  private final Map<RpcType, Map<Integer, AtomicInteger>> results = new EnumMap<>(RpcType.class);

  ClientStats() {
    for (RpcType type : RpcType.values()) {
      started.put(type, new AtomicInteger());
      results.put(type, new ConcurrentHashMap<>());
    }
  }

  /** Called as an RPC is sent; returns its id. */
  long onStart(RpcType type) {
    started.get(type).incrementAndGet();
    synchronized (lock) {
      return nextId++;
    }
  }

  void onEnd(long id, RpcType type, RpcOutcome outcome) {
    results.get(type).computeIfAbsent(outcome.code().value(), c -> new AtomicInteger()).incrementAndGet();
    List<Watcher> interested;
    synchronized (lock) {
      interested = new ArrayList<>(watchers.size());
      for (Watcher w : watchers) {
        if (id >= w.startId && id < w.endId) {
          interested.add(w);
        }
      }
    }
    for (Watcher w : interested) {
      w.record(type, outcome);
    }
  }

  LoadBalancerStatsResponse clientStats(LoadBalancerStatsRequest request) throws InterruptedException {
    Watcher watcher;
    synchronized (lock) {
      watcher = new Watcher(nextId, nextId + request.getNumRpcs(), request.getMetadataKeysList());
      watchers.add(watcher);
    }
    try {
      watcher.done.await(request.getTimeoutSec(), TimeUnit.SECONDS);
    } finally {
      synchronized (lock) {
        watchers.remove(watcher);
      }
    }
    return watcher.response();
  }

  @SuppressWarnings("deprecation") // the per-method maps gRPC still fills for older test drivers
  LoadBalancerAccumulatedStatsResponse accumulatedStats() {
    LoadBalancerAccumulatedStatsResponse.Builder response = LoadBalancerAccumulatedStatsResponse.newBuilder();
    for (RpcType type : RpcType.values()) {
      int startedCount = started.get(type).get();
      LoadBalancerAccumulatedStatsResponse.MethodStats.Builder stats =
          LoadBalancerAccumulatedStatsResponse.MethodStats.newBuilder().setRpcsStarted(startedCount);
      int succeeded = 0;
      int failed = 0;
      for (Map.Entry<Integer, AtomicInteger> result : results.get(type).entrySet()) {
        stats.putResult(result.getKey(), result.getValue().get());
        if (result.getKey() == Status.Code.OK.value()) {
          succeeded += result.getValue().get();
        } else {
          failed += result.getValue().get();
        }
      }
      if (startedCount == 0) {
        continue;
      }
      String key = type.proto.name();
      response.putStatsPerMethod(key, stats.build());
      response.putNumRpcsStartedByMethod(key, startedCount);
      response.putNumRpcsSucceededByMethod(key, succeeded);
      response.putNumRpcsFailedByMethod(key, failed);
    }
    return response.build();
  }

  ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(InteropServices.STATS_SERVICE)
        .addMethod(InteropServices.GET_CLIENT_STATS, ServerCalls.asyncUnaryCall(
            (LoadBalancerStatsRequest request, StreamObserver<LoadBalancerStatsResponse> observer) -> {
              try {
                observer.onNext(clientStats(request));
                observer.onCompleted();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                observer.onError(Status.CANCELLED.withCause(e).asRuntimeException());
              }
            }))
        .addMethod(InteropServices.GET_CLIENT_ACCUMULATED_STATS, ServerCalls.asyncUnaryCall(
            (LoadBalancerAccumulatedStatsRequest request,
                StreamObserver<LoadBalancerAccumulatedStatsResponse> observer) -> {
              observer.onNext(accumulatedStats());
              observer.onCompleted();
            }))
        .build();
  }

  /** Counts RPC ids in [startId, endId). */
  private static final class Watcher {
    final long startId;
    final long endId;
    final CountDownLatch done;
    final boolean allKeys;
    final List<String> keys = new ArrayList<>();
    final Map<String, Integer> byPeer = new HashMap<>();
    final Map<String, Map<String, Integer>> byMethod = new HashMap<>();
    final Map<String, LoadBalancerStatsResponse.MetadataByPeer.Builder> metadataByPeer = new HashMap<>();
    int failures;

    Watcher(long startId, long endId, List<String> metadataKeys) {
      this.startId = startId;
      this.endId = endId;
      this.done = new CountDownLatch((int) (endId - startId));
      boolean all = false;
      for (String key : metadataKeys) {
        if (key.equals("*")) {
          all = true;
        }
        keys.add(key.toLowerCase(Locale.ROOT));
      }
      this.allKeys = all;
    }

    synchronized void record(RpcType type, RpcOutcome outcome) {
      if (outcome.peer() == null) {
        failures++;
      } else {
        byPeer.merge(outcome.peer(), 1, Integer::sum);
        byMethod.computeIfAbsent(type.methodName, m -> new HashMap<>()).merge(outcome.peer(), 1, Integer::sum);
        if (allKeys || !keys.isEmpty()) {
          LoadBalancerStatsResponse.RpcMetadata.Builder rpc = LoadBalancerStatsResponse.RpcMetadata.newBuilder();
          for (MetadataEntry entry : outcome.metadata()) {
            if (allKeys || keys.contains(entry.getKey().toLowerCase(Locale.ROOT))) {
              rpc.addMetadata(entry);
            }
          }
          metadataByPeer.computeIfAbsent(outcome.peer(), p -> LoadBalancerStatsResponse.MetadataByPeer.newBuilder())
              .addRpcMetadata(rpc);
        }
      }
      done.countDown();
    }

    synchronized LoadBalancerStatsResponse response() {
      LoadBalancerStatsResponse.Builder response = LoadBalancerStatsResponse.newBuilder()
          .putAllRpcsByPeer(byPeer)
          // RPCs that have not ended by the deadline count as failures, as gRPC's client counts them.
          .setNumFailures(failures + (int) done.getCount());
      byMethod.forEach((method, peers) -> response.putRpcsByMethod(method,
          LoadBalancerStatsResponse.RpcsByPeer.newBuilder().putAllRpcsByPeer(peers).build()));
      metadataByPeer.forEach((peer, m) -> response.putMetadatasByPeer(peer, m.build()));
      return response.build();
    }
  }
}
