package io.mesh4j.runtime.security;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Struct;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Istio's CA API, {@code istio.v1.auth.IstioCertificateService/CreateCertificate} (security/proto/pki/ca.proto in
 * istio/api), written by hand over protobuf's wire format so no generated code is needed. Public only so that tests
 * can serve the same method; not part of mesh4j's API.
 *
 * <pre>
 * message IstioCertificateRequest  { string csr = 1; int64 validity_duration = 3; google.protobuf.Struct metadata = 4; }
 * message IstioCertificateResponse { repeated string cert_chain = 1; }
 * </pre>
 * Unknown fields are skipped when reading, as protobuf does.
 */
public final class IstioCaProtocol {
  private IstioCaProtocol() {}

  public static final String SERVICE = "istio.v1.auth.IstioCertificateService";

  /** A PEM CSR, the requested lifetime in seconds, and optional metadata (Istio uses it for impersonation). */
  public record Request(String csr, long validitySeconds, Struct metadata) {
    public Request {
      Objects.requireNonNull(csr, "csr");
      metadata = metadata == null ? Struct.getDefaultInstance() : metadata;
    }
  }

  /** The signed chain, leaf first, each entry PEM. */
  public record Response(List<String> certChain) {
    public Response {
      certChain = List.copyOf(certChain);
    }
  }

  public static final MethodDescriptor<Request, Response> CREATE_CERTIFICATE =
      MethodDescriptor.<Request, Response>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "CreateCertificate"))
          .setRequestMarshaller(new RequestMarshaller())
          .setResponseMarshaller(new ResponseMarshaller())
          .build();

  static byte[] encode(Request request) {
    return write(out -> {
      if (!request.csr().isEmpty()) {
        out.writeString(1, request.csr());
      }
      if (request.validitySeconds() != 0) {
        out.writeInt64(3, request.validitySeconds());
      }
      if (!request.metadata().equals(Struct.getDefaultInstance())) {
        out.writeMessage(4, request.metadata());
      }
    });
  }

  static Request decodeRequest(InputStream in) throws IOException {
    CodedInputStream input = CodedInputStream.newInstance(in);
    String csr = "";
    long validity = 0;
    Struct metadata = Struct.getDefaultInstance();
    for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
      switch (tag) {
        case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> csr = input.readStringRequireUtf8();
        case (3 << 3) | WireFormat.WIRETYPE_VARINT -> validity = input.readInt64();
        case (4 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED ->
            metadata = metadata.toBuilder().mergeFrom(input.readBytes()).build();
        default -> input.skipField(tag);
      }
    }
    return new Request(csr, validity, metadata);
  }

  static byte[] encode(Response response) {
    return write(out -> {
      for (String pem : response.certChain()) {
        out.writeString(1, pem);
      }
    });
  }

  static Response decodeResponse(InputStream in) throws IOException {
    CodedInputStream input = CodedInputStream.newInstance(in);
    List<String> chain = new ArrayList<>();
    for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
      if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        chain.add(input.readStringRequireUtf8());
      } else {
        input.skipField(tag);
      }
    }
    return new Response(chain);
  }

  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] write(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      writer.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static final class RequestMarshaller implements MethodDescriptor.Marshaller<Request> {
    @Override
    public InputStream stream(Request value) {
      return new ByteArrayInputStream(encode(value));
    }

    @Override
    public Request parse(InputStream stream) {
      try {
        return decodeRequest(stream);
      } catch (IOException e) {
        throw io.grpc.Status.INTERNAL.withDescription("bad IstioCertificateRequest: " + e.getMessage())
            .asRuntimeException();
      }
    }
  }

  private static final class ResponseMarshaller implements MethodDescriptor.Marshaller<Response> {
    @Override
    public InputStream stream(Response value) {
      return new ByteArrayInputStream(encode(value));
    }

    @Override
    public Response parse(InputStream stream) {
      try {
        return decodeResponse(stream);
      } catch (IOException e) {
        throw io.grpc.Status.INTERNAL.withDescription("bad IstioCertificateResponse: " + e.getMessage())
            .asRuntimeException();
      }
    }
  }
}
