// Runs an embedded Neo4j 5 Community DBMS that speaks Bolt on 127.0.0.1, for local
// development and tests of graphrisk. Started by scripts/neo4j-start; run in source mode:
//
//   java -cp "$(cat classpath.txt)" scripts/neo4j/Launcher.java DATA_DIR PORT
//
// DATA_DIR is the Neo4j home (databases under DATA_DIR/data, Neo4j's logs under DATA_DIR/logs).
// Auth is disabled (Community has no roles to grant anyway; see docs/analyst.md, "Hardening the
// Neo4j server", for what a site sets). The read-only hardening a site should have is set here too,
// so that tests run against it: LOAD CSV cannot read files (file URLs are off, and the import
// directory is the empty DATA_DIR/import), and only the schema procedures analysts may call, and
// none of dbms.*, are loaded. Prints "READY bolt://127.0.0.1:PORT" once the default database is available,
// then waits until the JVM is told to stop (SIGTERM/SIGINT), shutting the DBMS down cleanly.
//
// Environment (all optional):
//   NEO4J_PAGECACHE     page cache size, e.g. 256m, 1g (default 256m)
//   NEO4J_TX_RETENTION  transaction log retention (db.tx_log.rotation.retention_policy),
//                       default "1 files"
//   NEO4J_CONF          path to an extra neo4j.conf-style properties file, applied first

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

public class Launcher {
    static final String HOST = "127.0.0.1";
    // The procedures graphrisk's analysts may CALL (graphrisk.cypher.ALLOWED_PROCEDURES); keep the two
    // lists equal.
    static final java.util.List<String> PROCEDURES = java.util.List.of(
            "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
            "db.schema.nodeTypeProperties", "db.schema.relTypeProperties");

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java -cp CP Launcher.java DATA_DIR PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Files.createDirectories(home);
        Path importDir = home.resolve("import");
        Files.createDirectories(importDir);

        long pageCache = parseSize(env("NEO4J_PAGECACHE", "256m"));
        String retention = env("NEO4J_TX_RETENTION", "1 files");

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        String conf = System.getenv("NEO4J_CONF");
        if (conf != null && !conf.isBlank()) {
            builder.loadPropertiesFromFile(Path.of(conf));
        }
        builder
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress(HOST))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, retention)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, 64L * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // LOAD CSV FROM 'file:///etc/passwd' read any file the server could; the client
                // refuses LOAD CSV, and the server must not be able to either
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir)
                .setConfig(GraphDatabaseSettings.procedure_allowlist, PROCEDURES)
                .setConfig(GraphDatabaseSettings.filewatcher_enabled, false)
                // Netty waits a 5 s "quiet period" when Bolt shuts down; 1 s makes stops quicker.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 1);

        DatabaseManagementService dbms = builder.build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("STOPPING");
            System.out.flush();
            try {
                dbms.shutdown();
            } catch (Throwable t) {
                t.printStackTrace();
            } finally {
                stopped.countDown();
            }
            System.out.println("STOPPED");
            System.out.flush();
        }, "neo4j-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        while (!db.isAvailable(TimeUnit.SECONDS.toMillis(10))) {
            System.out.println("waiting for database " + db.databaseName() + " ...");
            System.out.flush();
        }
        // One real query so that READY means "answers Cypher", not just "started".
        db.executeTransactionally("RETURN 1");

        System.out.println("READY bolt://" + HOST + ":" + port);
        System.out.flush();
        stopped.await();
    }

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return (v == null || v.isBlank()) ? dflt : v.trim();
    }

    /** "256m", "1g", "512k", "1048576" -> bytes. */
    static long parseSize(String s) {
        String t = s.trim().toLowerCase();
        long mult = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'b') {
            t = t.substring(0, t.length() - 1);
            last = t.charAt(t.length() - 1);
        }
        switch (last) {
            case 'k': mult = 1L << 10; break;
            case 'm': mult = 1L << 20; break;
            case 'g': mult = 1L << 30; break;
            default: break;
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t.trim()) * mult;
    }
}
