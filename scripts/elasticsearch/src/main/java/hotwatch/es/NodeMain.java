package hotwatch.es;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.HotwatchNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.HotwatchPluginsService;
import org.elasticsearch.plugins.Plugin;

/**
 * Starts one Elasticsearch node in this JVM: {@code NodeMain -Ekey=value ...} (path.home is required).
 * Runs until SIGTERM/SIGINT, then closes the node cleanly.
 */
public final class NodeMain {

    /** Module classes loaded if present on the classpath (Netty4Plugin gives the HTTP and transport layers). */
    private static final String[] MODULES = {
        "org.elasticsearch.transport.netty4.Netty4Plugin",
        "hotwatch.es.HotwatchPlugin",
    };

    private static final String LOG4J2 = String.join("\n",
        "status = error",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n",
        "rootLogger.level = info",
        "rootLogger.appenderRef.console.ref = console",
        "logger.deprecation.name = org.elasticsearch.deprecation",
        "logger.deprecation.level = error",
        "");

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            if (!arg.startsWith("-E") || arg.indexOf('=') < 0) {
                System.err.println("usage: NodeMain -Ekey=value ... (got " + arg + ")");
                System.exit(2);
            }
            builder.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        String home = builder.get("path.home");
        if (home == null) {
            System.err.println("NodeMain: -Epath.home=DIR is required");
            System.exit(2);
        }
        Path config = Path.of(home, "config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("elasticsearch.yml"), "", StandardCharsets.UTF_8);
        Files.writeString(config.resolve("log4j2.properties"), LOG4J2, StandardCharsets.UTF_8);

        Settings settings = builder.build();
        String nodeName = settings.get("node.name", "node-1");
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), config, () -> nodeName);
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(environment, true);
        Files.createDirectories(environment.modulesFile());
        Files.createDirectories(environment.pluginsFile());

        List<Class<? extends Plugin>> modules = new ArrayList<>();
        for (String name : MODULES) {
            try {
                modules.add(Class.forName(name).asSubclass(Plugin.class));
            } catch (ClassNotFoundException e) {
                System.err.println("NodeMain: module " + name + " not on the classpath, skipped");
            }
        }

        Node node = new HotwatchNode(environment, s -> new HotwatchPluginsService(s, environment, modules));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "hotwatch-es-shutdown"));
        node.start();
        closed.await();
    }
}
