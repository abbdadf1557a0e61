package dev.recur.system.bench;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;

import dev.recur.common.time.ApiTime;

/**
 * The world outside Recur for {@link RecurBench}, in a JVM of its own so that its CPU is counted apart: an instant
 * page server for the built-in fetcher and a callback receiver, on one selector thread. Every request gets a
 * prepared answer at once (a small HTML page for a GET, an empty 200 for anything else) on a kept-alive connection.
 * Each request carrying {@code X-Recur-Job-Id} (a callback) appends one {@link CallbackRecord} to the record file,
 * which the harness reads as it grows; the file is flushed at most {@value #FLUSH_MILLIS} ms after a write.
 *
 * <p>Usage: {@code BenchStub <bind address> <port> <record file>}.
 */
public final class BenchStub {

    static final long FLUSH_MILLIS = 100;
    private static final byte[] PAGE_RESPONSE =
            response("200 OK", "text/html; charset=utf-8", "<html><body>benchmark page</body></html>");
    private static final byte[] CALLBACK_RESPONSE = response("200 OK", "text/plain", "");

    private final DataOutputStream records;
    private long lastFlush = System.nanoTime();
    private boolean unflushed;

    private BenchStub(DataOutputStream records) {
        this.records = records;
    }

    public static void main(String[] args) throws IOException {
        try (DataOutputStream records =
                new DataOutputStream(new BufferedOutputStream(new FileOutputStream(args[2], true), 64 * 1024))) {
            new BenchStub(records).serve(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
        }
    }

    private static byte[] response(String status, String type, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + content.length
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + content.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return all;
    }

    private void serve(InetSocketAddress address) throws IOException {
        try (Selector selector = Selector.open();
                ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(address, 1024);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
            System.out.println("bench stub listening on " + address);
            while (true) {
                selector.select(FLUSH_MILLIS);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    try {
                        if (key.isAcceptable()) {
                            SocketChannel client = server.accept();
                            if (client != null) {
                                client.configureBlocking(false);
                                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                                client.register(selector, SelectionKey.OP_READ, new Connection());
                            }
                        } else {
                            if (key.isReadable()) {
                                read(key, in);
                            }
                            if (key.isValid() && key.isWritable()) {
                                write(key);
                            }
                        }
                    } catch (IOException e) {
                        key.cancel();
                        key.channel().close();
                    }
                }
                flushIfDue();
            }
        }
    }

    private void flushIfDue() throws IOException {
        if (unflushed && System.nanoTime() - lastFlush >= FLUSH_MILLIS * 1_000_000) {
            records.flush();
            unflushed = false;
            lastFlush = System.nanoTime();
        }
    }

    private void read(SelectionKey key, ByteBuffer in) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        Connection connection = (Connection) key.attachment();
        in.clear();
        if (channel.read(in) < 0) {
            key.cancel();
            channel.close();
            return;
        }
        in.flip();
        while (in.hasRemaining()) {
            if (connection.bodyLeft > 0) {
                int skip = (int) Math.min(connection.bodyLeft, in.remaining());
                in.position(in.position() + skip);
                connection.bodyLeft -= skip;
                if (connection.bodyLeft == 0) {
                    answer(connection);
                }
                continue;
            }
            byte b = in.get();
            connection.head.append((char) (b & 0xff));
            int n = connection.head.length();
            if (n >= 4
                    && connection.head.charAt(n - 1) == '\n'
                    && connection.head.charAt(n - 2) == '\r'
                    && connection.head.charAt(n - 3) == '\n'
                    && connection.head.charAt(n - 4) == '\r') {
                parseHead(connection);
                if (connection.bodyLeft == 0) {
                    answer(connection);
                }
            }
        }
        write(key);
    }

    private static void parseHead(Connection connection) {
        String head = connection.head.toString();
        connection.head.setLength(0);
        connection.get = head.startsWith("GET ");
        connection.jobId = null;
        connection.scheduleId = null;
        connection.scheduledFor = null;
        long length = 0;
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "x-recur-job-id" -> connection.jobId = value;
                case "x-recur-schedule-id" -> connection.scheduleId = value;
                case "x-recur-scheduled-for" -> connection.scheduledFor = value;
                default -> {
                    // not needed
                }
            }
        }
        connection.bodyLeft = length;
    }

    private void answer(Connection connection) throws IOException {
        if (connection.jobId != null) {
            Instant now = Instant.now();
            records.writeLong(Long.parseLong(connection.jobId));
            records.writeLong(connection.scheduleId == null ? 0 : Long.parseLong(connection.scheduleId));
            records.writeLong(
                    connection.scheduledFor == null
                            ? 0
                            : ApiTime.parse(connection.scheduledFor).getEpochSecond());
            records.writeLong(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000);
            unflushed = true;
            connection.queue(CALLBACK_RESPONSE);
        } else {
            connection.queue(connection.get ? PAGE_RESPONSE : CALLBACK_RESPONSE);
        }
    }

    private static void write(SelectionKey key) throws IOException {
        Connection connection = (Connection) key.attachment();
        ((SocketChannel) key.channel()).write(connection.out);
        key.interestOps(
                connection.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** A connection's request head so far, its body still to skip, and the responses not yet written. */
    private static final class Connection {
        final StringBuilder head = new StringBuilder(512);
        long bodyLeft;
        boolean get;
        String jobId;
        String scheduleId;
        String scheduledFor;
        ByteBuffer out = ByteBuffer.allocate(0);

        void queue(byte[] response) {
            if (!out.hasRemaining()) {
                out = ByteBuffer.wrap(response);
                return;
            }
            ByteBuffer next = ByteBuffer.allocate(out.remaining() + response.length);
            next.put(out).put(response).flip();
            out = next;
        }
    }

    /** One callback as the stub recorded it: 4 longs, big-endian. */
    record CallbackRecord(long jobId, long scheduleId, long scheduledForSecond, long receivedMicros) {
        static final int BYTES = 32;
    }
}
