package io.mesh4j.runtime.testing;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ServerCalls;
import io.mesh4j.runtime.security.IstioCaProtocol;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A small Istio CA on loopback speaking {@code IstioCertificateService/CreateCertificate} over TLS (grpc-netty,
 * client certificates optional): it signs CSRs with {@code signer}, for exactly the SPIFFE URI in the CSR, and the
 * requested lifetime from now (seconds, as X.509 stores them). A caller is accepted with {@code authorization:
 * Bearer <token>} or with a client certificate (chaining to {@code signer}'s root, checked by TLS) whose URI SAN is
 * the requested identity, as istiod does for renewals. Records every issue; can be taken down and brought back on
 * the same port, or made to fail with a status.
 */
public final class LoopbackIstioCa implements AutoCloseable {
  /** How a caller was authenticated. */
  public enum Auth { TOKEN, CLIENT_CERTIFICATE }

  public record Issued(Auth auth, String identity, String serial, Instant notBefore, Instant notAfter) {}

  private static final Context.Key<String> AUTHORIZATION = Context.key("authorization");
  private static final Context.Key<X509Certificate> PEER = Context.key("peer");
  private static final Metadata.Key<String> AUTHORIZATION_HEADER =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final TestPki.Ca signer;
  private final TestPki.Leaf serving;
  private final List<Issued> issued = new CopyOnWriteArrayList<>();
  private volatile String token;
  private volatile Status failWith;
  private volatile boolean refuseClientCertificates;
  private volatile int port;
  private Server server;

  private LoopbackIstioCa(TestPki.Ca signer, TestPki.Leaf serving, String token) {
    this.signer = signer;
    this.serving = serving;
    this.token = token;
  }

  /** Serves with a certificate for DNS name {@code localhost} from {@code signer}. */
  public static LoopbackIstioCa start(TestPki.Ca signer, String token) {
    LoopbackIstioCa ca = new LoopbackIstioCa(signer, signer.leaf().dns("localhost").issue(), token);
    ca.port = 0;
    ca.up();
    return ca;
  }

  /** Starts serving (again, on the same port once it has one). */
  public synchronized void up() {
    if (server != null) {
      return;
    }
    try {
      io.grpc.ServerCredentials credentials = TlsServerCredentials.newBuilder()
          .keyManager(stream(serving.chainPem()), stream(serving.keyPem()))
          .trustManager(stream(TestPki.pem(signer.root())))
          .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
          .build();
      server = Grpc.newServerBuilderForPort(port, credentials)
          .addService(ServerInterceptors.intercept(service(), new CallerInterceptor()))
          .build()
          .start();
      port = server.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops serving: connections are refused until {@link #up()}. */
  public synchronized void down() {
    if (server != null) {
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server = null;
    }
  }

  public int port() {
    return port;
  }

  /** {@code localhost:port}, matching the serving certificate. */
  public String address() {
    return "localhost:" + port;
  }

  public void token(String newToken) {
    this.token = newToken;
  }

  /** Every request fails with {@code status} until called with {@code null}. */
  public void failWith(Status status) {
    this.failWith = status;
  }

  /** Stops accepting client certificates for renewals (as after a CA root change): only the token works. */
  public void refuseClientCertificates(boolean refuse) {
    this.refuseClientCertificates = refuse;
  }

  public List<Issued> issued() {
    return List.copyOf(issued);
  }

  private ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(IstioCaProtocol.SERVICE)
        .addMethod(IstioCaProtocol.CREATE_CERTIFICATE, ServerCalls.asyncUnaryCall((request, observer) -> {
          try {
            observer.onNext(sign(request));
            observer.onCompleted();
          } catch (RuntimeException e) {
            observer.onError(Status.fromThrowable(e).asRuntimeException());
          }
        }))
        .build();
  }

  private IstioCaProtocol.Response sign(IstioCaProtocol.Request request) {
    Status failure = failWith;
    if (failure != null) {
      throw failure.asRuntimeException();
    }
    PKCS10CertificationRequest csr = parseCsr(request.csr());
    List<String> uris = uris(csr);
    if (uris.size() != 1 || !uris.get(0).startsWith("spiffe://")) {
      throw Status.INVALID_ARGUMENT.withDescription("the CSR must carry one SPIFFE URI SAN, has " + uris)
          .asRuntimeException();
    }
    String identity = uris.get(0);
    Auth auth;
    X509Certificate peer = PEER.get();
    String authorization = AUTHORIZATION.get();
    if (peer != null && !refuseClientCertificates && uris(peer).contains(identity)) {
      auth = Auth.CLIENT_CERTIFICATE;
    } else if (authorization != null && authorization.equals("Bearer " + token)) {
      auth = Auth.TOKEN;
    } else {
      throw Status.UNAUTHENTICATED.withDescription(peer != null ? "the client certificate is not " + identity
          : authorization == null ? "no bearer token" : "bad bearer token").asRuntimeException();
    }
    if (request.validitySeconds() <= 0) {
      throw Status.INVALID_ARGUMENT.withDescription("validity_duration must be positive").asRuntimeException();
    }
    PublicKey key;
    try {
      key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
    } catch (GeneralSecurityException e) {
      throw Status.INVALID_ARGUMENT.withDescription("unusable CSR key").asRuntimeException();
    }
    Instant notBefore = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant notAfter = notBefore.plus(Duration.ofSeconds(request.validitySeconds()));
    X509Certificate leaf = signer.signLeaf(key, "O=mesh4j-test", List.of(identity), notBefore, notAfter);
    issued.add(new Issued(auth, identity, leaf.getSerialNumber().toString(16), notBefore, notAfter));
    List<String> chain = new ArrayList<>();
    chain.add(TestPki.pem(leaf));
    for (X509Certificate ca : signer.chainToRoot()) {
      chain.add(TestPki.pem(ca));
    }
    return new IstioCaProtocol.Response(chain);
  }

  private static PKCS10CertificationRequest parseCsr(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      if (!(o instanceof PKCS10CertificationRequest csr)
          || !csr.isSignatureValid(new JcaContentVerifierProviderBuilder()
              .build(new JcaPKCS10CertificationRequest(csr).getPublicKey()))) {
        throw Status.INVALID_ARGUMENT.withDescription("not a validly signed CSR").asRuntimeException();
      }
      return csr;
    } catch (Exception e) {
      if (e instanceof io.grpc.StatusRuntimeException s) {
        throw s;
      }
      throw Status.INVALID_ARGUMENT.withDescription("not a CSR: " + e).asRuntimeException();
    }
  }

  private static List<String> uris(PKCS10CertificationRequest csr) {
    List<String> uris = new ArrayList<>();
    for (var attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      Extensions extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
      GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
      if (names != null) {
        for (GeneralName name : names.getNames()) {
          if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
            uris.add(name.getName().toString());
          }
        }
      }
    }
    return uris;
  }

  private static List<String> uris(X509Certificate cert) {
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> names = cert.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (Integer.valueOf(6).equals(name.get(0))) {
            uris.add((String) name.get(1));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      // no URIs
    }
    return uris;
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }

  /** Puts the bearer token and the verified client certificate (if any) in the call's context. */
  private static final class CallerInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      X509Certificate peer = null;
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      if (session != null) {
        try {
          Certificate[] chain = session.getPeerCertificates();
          peer = chain.length == 0 ? null : (X509Certificate) chain[0];
        } catch (SSLPeerUnverifiedException e) {
          peer = null;
        }
      }
      Context context = Context.current().withValue(AUTHORIZATION, headers.get(AUTHORIZATION_HEADER))
          .withValue(PEER, peer);
      return Contexts.interceptCall(context, call, headers, next);
    }
  }

  @Override
  public void close() {
    down();
  }
}
