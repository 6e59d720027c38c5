package io.dovetail.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.HostPort;
import io.dovetail.proto.MetadataServiceGrpc;
import io.dovetail.proto.RegisterApplicationRequest;
import io.dovetail.testkit.TestDirs;
import io.dovetail.testkit.TestTls;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The control plane over TLS: trusted clients are served, others never reach a service. */
class MetadataTlsTest {

  private static DovetailConf withTls(DovetailConf conf, TestTls tls) {
    for (Map.Entry<String, String> e : tls.settings().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    return conf;
  }

  private static void registerApplication(ManagedChannel channel, String app) {
    MetadataServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .registerApplication(RegisterApplicationRequest.newBuilder().setAppId(app).build());
  }

  @Test
  void onlyClientsThatTrustTheServerOverTlsAreServed() {
    TestTls tls = TestTls.create("metadata-tls");
    DovetailConf conf = withTls(new DovetailConf()
        .set(MetadataConfig.HOST.key(), "127.0.0.1")
        .set(MetadataConfig.PORT.key(), "0")
        .set(MetadataConfig.THREADS.key(), "2")
        .set(MetadataConfig.DB_DIR.key(), TestDirs.create("metadata-tls").toString()), tls);
    try (MetadataServer server = new MetadataServer(conf).start()) {
      HostPort address = new HostPort("127.0.0.1", server.port());
      ManagedChannel trusted = Rpc.channel(address, conf);
      ManagedChannel plain = Rpc.channel(address, new DovetailConf());
      ManagedChannel wary = Rpc.channel(address,
          withTls(new DovetailConf(), TestTls.create("metadata-tls-stranger")));
      try {
        registerApplication(trusted, "over-tls");
        assertThat(server.state().applications()).containsExactly("over-tls");
        assertThatThrownBy(() -> registerApplication(plain, "plaintext"))
            .isInstanceOf(StatusRuntimeException.class);
        assertThatThrownBy(() -> registerApplication(wary, "untrusting"))
            .isInstanceOf(StatusRuntimeException.class);
        assertThat(server.state().applications()).containsExactly("over-tls");
      } finally {
        Rpc.shutdown(trusted);
        Rpc.shutdown(plain);
        Rpc.shutdown(wary);
      }
    }
  }
}
