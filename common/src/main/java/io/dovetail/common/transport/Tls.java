package io.dovetail.common.transport;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS material of {@code dovetail.tls.*}: key managers for servers, trust managers for
 * clients, and the Netty contexts built from them for the data plane (gRPC builds its own from
 * the same managers). Loaded once per server or client factory; immutable and thread-safe.
 */
public final class Tls {
  private final KeyManagerFactory keys;
  private final TrustManagerFactory trust;

  private Tls(KeyManagerFactory keys, TrustManagerFactory trust) {
    this.keys = keys;
    this.trust = trust;
  }

  /**
   * The configured material, or null when TLS is off.
   *
   * @param server whether the caller serves (it then needs the key store)
   * @throws IllegalArgumentException naming the key when a store is missing or unreadable
   */
  public static Tls fromConf(DovetailConf conf, boolean server) {
    if (!conf.get(CommonConfig.TLS_ENABLED)) {
      return null;
    }
    KeyManagerFactory keys = null;
    String keyStore = conf.get(CommonConfig.TLS_KEY_STORE);
    if (server && keyStore.isEmpty()) {
      throw new IllegalArgumentException(CommonConfig.TLS_ENABLED.key() + " is set but "
          + CommonConfig.TLS_KEY_STORE.key() + " is empty: a server needs a key to present");
    }
    if (server) {
      char[] password = conf.get(CommonConfig.TLS_KEY_STORE_PASSWORD).toCharArray();
      try {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(keyStore, password), password);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalArgumentException("cannot use " + CommonConfig.TLS_KEY_STORE.key()
            + "=" + keyStore + ": " + e.getMessage(), e);
      }
    }
    String trustStore = conf.get(CommonConfig.TLS_TRUST_STORE);
    TrustManagerFactory trust;
    try {
      trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustStore.isEmpty() ? null : load(trustStore,
          conf.get(CommonConfig.TLS_TRUST_STORE_PASSWORD).toCharArray()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use " + CommonConfig.TLS_TRUST_STORE.key()
          + "=" + trustStore + ": " + e.getMessage(), e);
    }
    return new Tls(keys, trust);
  }

  private static KeyStore load(String path, char[] password)
      throws GeneralSecurityException, IOException {
    return KeyStore.getInstance(new File(path), password); // PKCS12 or JKS, by its content
  }

  /** Key managers of the key store; null for a client-only configuration. */
  public KeyManagerFactory keyManagers() {
    return keys;
  }

  public TrustManagerFactory trustManagers() {
    return trust;
  }

  /** The data plane's server context. */
  SslContext serverContext() {
    try {
      return SslContextBuilder.forServer(keys).build();
    } catch (SSLException e) {
      throw new DovetailException(ErrorCode.INTERNAL, "cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** The data plane's client context; it checks that the certificate names the host. */
  SslContext clientContext() {
    try {
      return SslContextBuilder.forClient().trustManager(trust)
          .endpointIdentificationAlgorithm("HTTPS").build();
    } catch (SSLException e) {
      throw new DovetailException(ErrorCode.INTERNAL, "cannot set up TLS: " + e.getMessage(), e);
    }
  }
}
