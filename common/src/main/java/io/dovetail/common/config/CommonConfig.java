package io.dovetail.common.config;

import java.time.Duration;
import java.util.List;

/** Keys shared by every process: security and the data-plane transport. */
public final class CommonConfig implements ConfigEntryProvider {

  public static final ConfigEntry<String> AUTH_SECRET = ConfigEntry.builder("dovetail.auth.secret")
      .doc("Shared secret that every client and server must present, on the control plane "
          + "(gRPC metadata) and on the data plane (HELLO frame): printable ASCII, at most 4096 "
          + "characters. Empty disables authentication.")
      .secret()
      .stringConf()
      .checkValue(s -> s.length() <= 4096, "at most 4096 characters")
      // It travels in a gRPC header, which carries printable ASCII only: any other character
      // would arrive changed and every control-plane call fail as wrong credentials.
      .checkValue(s -> s.chars().allMatch(c -> c >= 0x20 && c < 0x7f),
          "printable ASCII characters only")
      .createWithDefault("");

  public static final ConfigEntry<Boolean> TLS_ENABLED = ConfigEntry.builder("dovetail.tls.enabled")
      .doc("Encrypt every control-plane call (gRPC) and data-plane connection with TLS. Servers "
          + "present the key in dovetail.tls.keyStore; clients check it against "
          + "dovetail.tls.trustStore and that it names the host they connect to. Reads are then "
          + "copied through the encryption instead of sent zero-copy. Every server and client "
          + "of a cluster must agree.")
      .booleanConf().createWithDefault(false);

  public static final ConfigEntry<String> TLS_KEY_STORE =
      ConfigEntry.builder("dovetail.tls.keyStore")
          .doc("Key store (PKCS12 or JKS) with the private key and certificate chain a server "
              + "presents; needed by servers when TLS is on.")
          .stringConf().createWithDefault("");

  public static final ConfigEntry<String> TLS_KEY_STORE_PASSWORD =
      ConfigEntry.builder("dovetail.tls.keyStorePassword")
          .doc("Password of dovetail.tls.keyStore and of the key in it.").secret()
          .stringConf().createWithDefault("");

  public static final ConfigEntry<String> TLS_TRUST_STORE =
      ConfigEntry.builder("dovetail.tls.trustStore")
          .doc("Trust store (PKCS12 or JKS) with the certificates clients accept from servers "
              + "(storage servers replicating to each other are clients too); empty uses the "
              + "JVM's default trusted authorities.")
          .stringConf().createWithDefault("");

  public static final ConfigEntry<String> TLS_TRUST_STORE_PASSWORD =
      ConfigEntry.builder("dovetail.tls.trustStorePassword")
          .doc("Password of dovetail.tls.trustStore.").secret()
          .stringConf().createWithDefault("");

  public static final ConfigEntry<String> METADATA_ADDRESS =
      ConfigEntry.builder("dovetail.metadata.address")
          .doc("host:port of the metadata server's gRPC endpoint, used by storage servers and "
              + "clients. In the Spark plugin, empty starts an embedded cluster in the driver.")
          .stringConf().createWithDefault("");

  public static final ConfigEntry<String> IO_MODE = ConfigEntry.builder("dovetail.transport.ioMode")
      .doc("Netty I/O: AUTO uses native epoll when available and NIO otherwise; EPOLL or NIO force "
          + "one.")
      .stringConf()
      .checkValue(s -> s.equals("AUTO") || s.equals("EPOLL") || s.equals("NIO"),
          "one of AUTO, EPOLL, NIO")
      .createWithDefault("AUTO");

  public static final ConfigEntry<Integer> CLIENT_THREADS =
      ConfigEntry.builder("dovetail.transport.clientThreads")
          .doc("Event-loop threads of a data-plane client; 0 means the number of cores (in a "
              + "Spark executor, spark.executor.cores when the application sets it).")
          .intConf().checkValue(v -> v >= 0, "must be >= 0").createWithDefault(0);

  public static final ConfigEntry<Integer> CONNECTIONS_PER_PEER =
      ConfigEntry.builder("dovetail.transport.connectionsPerPeer")
          .doc("Data-plane connections a client keeps to each storage server.")
          .intConf().checkValue(v -> v >= 1, "must be >= 1").createWithDefault(2);

  public static final ConfigEntry<Duration> CONNECT_TIMEOUT =
      ConfigEntry.builder("dovetail.transport.connectTimeout")
          .doc("Timeout to open a data-plane connection: the TCP connect, then the TLS "
              + "handshake, then the server's answer to the client's HELLO (a server that accepts "
              + "connections but does not answer is a failed connect).")
          .durationConf()
          .checkValue(d -> d.toMillis() > 0 && d.toMillis() <= Integer.MAX_VALUE,
              "between 1ms and 24d")
          .createWithDefault(Duration.ofSeconds(10));

  public static final ConfigEntry<Duration> CONNECT_FAIL_FAST =
      ConfigEntry.builder("dovetail.transport.connectFailFast")
          .doc("After a connect to a server failed, further connects to it from the same "
              + "process fail at once, with that failure, for this long: a host that is gone but "
              + "not yet declared dead then costs one connect timeout, not one per request "
              + "(readers move to a replica, pushers to a new location). 0 tries every time.")
          .durationConf().checkValue(d -> !d.isNegative(), "not negative")
          .createWithDefault(Duration.ofSeconds(5));

  public static final ConfigEntry<Duration> REQUEST_TIMEOUT =
      ConfigEntry.builder("dovetail.transport.requestTimeout")
          .doc("Time a data-plane request may wait for its response before it fails with "
              + "TIMEOUT. A server also closes a connection whose frame stopped arriving "
              + "half-way for this long, or that took nothing of an answer for this long (the "
              + "peer froze or went away), freeing what it held.")
          .durationConf().checkValue(d -> d.toMillis() > 0, "positive")
          .createWithDefault(Duration.ofSeconds(120));

  public static final ConfigEntry<Long> MAX_FRAME_SIZE =
      ConfigEntry.builder("dovetail.transport.maxFrameSize")
          .doc("Largest data-plane frame accepted; a larger frame closes the connection. Also "
              + "bounds a pushed batch and a read chunk.")
          .bytesConf()
          .checkValue(v -> v >= 64 * 1024 && v <= Integer.MAX_VALUE - 1024,
              "between 64k and 2g")
          .createWithDefault(128L << 20);

  public static final ConfigEntry<Long> RECEIVE_POOL =
      ConfigEntry.builder("dovetail.transport.receivePoolBytes")
          .doc("Idle direct memory a client keeps for reuse to receive read chunks into (64k to "
              + "16m each); best at least the memory of the reads in flight at once. Reused memory "
              + "is far cheaper to fill than fresh pages; 0 leaves chunks in the socket's receive "
              + "buffers.")
          .bytesConf().checkValue(v -> v >= 0, "must be >= 0").createWithDefault(64L << 20);

  public static final ConfigEntry<Duration> RPC_TIMEOUT = ConfigEntry.builder("dovetail.rpc.timeout")
      .doc("Deadline of one control-plane (gRPC) call.")
      .durationConf().checkValue(d -> d.toMillis() > 0, "positive")
      .createWithDefault(Duration.ofSeconds(30));

  public static final ConfigEntry<Duration> RPC_RETRY_WAIT =
      ConfigEntry.builder("dovetail.rpc.retryWait")
          .doc("How long a control-plane caller keeps retrying while the metadata server is "
              + "unreachable (for example while it restarts).")
          .durationConf().createWithDefault(Duration.ofSeconds(60));

  @Override
  public String group() {
    return "Common (all processes)";
  }

  @Override
  public int order() {
    return 0;
  }

  @Override
  public List<ConfigEntry<?>> entries() {
    return List.of(AUTH_SECRET, TLS_ENABLED, TLS_KEY_STORE, TLS_KEY_STORE_PASSWORD,
        TLS_TRUST_STORE, TLS_TRUST_STORE_PASSWORD, METADATA_ADDRESS, IO_MODE, CLIENT_THREADS,
        CONNECTIONS_PER_PEER, CONNECT_TIMEOUT, CONNECT_FAIL_FAST, REQUEST_TIMEOUT, MAX_FRAME_SIZE,
        RECEIVE_POOL, RPC_TIMEOUT, RPC_RETRY_WAIT);
  }
}
