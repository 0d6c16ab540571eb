package fr.grandest.solr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Serves a Solr home over HTTP with Solr's own JettySolrRunner, for development and CI.
 *
 * <p>Usage: {@code Launcher SOLR_HOME PORT [PID_FILE]}. Binds 127.0.0.1 only; stops cleanly
 * on SIGTERM/SIGINT so that the project's scripts can stop exactly what they started.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: Launcher SOLR_HOME PORT [PID_FILE]");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    System.setProperty("host", "127.0.0.1");
    System.setProperty("jetty.host", "127.0.0.1");
    System.setProperty("solr.solr.home", home.toString());
    System.setProperty("solr.install.dir", home.toString());

    JettyConfig config =
        JettyConfig.builder().setPort(port).setContext("/solr").stopAtShutdown(true).build();
    JettySolrRunner solr = new JettySolrRunner(home.toString(), new Properties(), config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    solr.stop();
                  } catch (Exception e) {
                    e.printStackTrace();
                  } finally {
                    stopped.countDown();
                  }
                }));
    solr.start();
    if (args.length > 2) {
      Files.writeString(Path.of(args[2]), Long.toString(ProcessHandle.current().pid()));
    }
    System.out.println("Solr ready at " + solr.getBaseUrl());
    stopped.await();
  }
}
