package io.mesh4j.samples.spring;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** The inventory service over gRPC ({@link InventoryGrpc#COUNT}): answers how many of an item are in stock. */
final class InventoryBackend implements AutoCloseable {
  private final Server server;

  InventoryBackend() {
    ServerServiceDefinition service = ServerServiceDefinition.builder(InventoryGrpc.SERVICE)
        .addMethod(InventoryGrpc.COUNT, ServerCalls.asyncUnaryCall((item, response) -> {
          response.onNext("inventory:" + item + "=" + (item.length() * 7));
          response.onCompleted();
        }))
        .build();
    try {
      server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
