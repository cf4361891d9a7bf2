package io.mesh4j.benchmarks;

import io.grpc.Drainable;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The gRPC load benchmark's server, run in a JVM of its own so that the client's process CPU time is the client's
 * alone: one unary method that answers every request with the same small message. Prints its port on the first line
 * of standard output and runs until its standard input closes.
 */
public final class EchoGrpcServer {
  static final MethodDescriptor<byte[], byte[]> CALL = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", "Call"))
      .setRequestMarshaller(BytesMarshaller.INSTANCE)
      .setResponseMarshaller(BytesMarshaller.INSTANCE)
      .build();

  private static final byte[] ANSWER = "{\"id\":42,\"name\":\"espresso\"}".getBytes(StandardCharsets.UTF_8);

  private EchoGrpcServer() {}

  public static void main(String[] args) throws Exception {
    Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(ServerServiceDefinition.builder("bench.Echo")
            .addMethod(CALL, ServerCalls.asyncUnaryCall((request, response) -> {
              response.onNext(ANSWER);
              response.onCompleted();
            }))
            .build())
        .build()
        .start();
    System.out.println(server.getPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // The parent holds our standard input open for as long as it wants us.
    }
    server.shutdownNow();
  }

  /**
   * Messages as raw bytes: no protobuf, so that only the channels differ between phases. Like protobuf's marshaller
   * it tells its length and drains into gRPC's framer, and parses a known-length stream into an array of that size:
   * a plain {@code ByteArrayInputStream} would cost an 8 KiB copy buffer per message sent and {@code readAllBytes}
   * as much per message read, garbage in every phase that the real marshaller does not make.
   */
  enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new BytesStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        if (stream instanceof KnownLength) {
          byte[] bytes = new byte[stream.available()];
          if (stream.readNBytes(bytes, 0, bytes.length) == bytes.length && stream.read() == -1) {
            return bytes;
          }
          throw new IOException("the message's stream did not hold its announced length");
        }
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A message's bytes as gRPC's framer reads them best: length known, drained in one write. */
  private static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {
    BytesStream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public synchronized int drainTo(OutputStream target) throws IOException {
      int length = count - pos;
      target.write(buf, pos, length);
      pos = count;
      return length;
    }
  }
}
