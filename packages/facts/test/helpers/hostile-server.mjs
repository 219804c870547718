// A hostile FACTS for the client's bounds tests, run as a child process so that its memory and CPU are not
// the client's: bodies that trickle or never end, page counts no listing can have, and Retry-After waits far
// longer than anyone should hold a lock for. Prints its URL on the first line of stdout.
import { createServer } from "node:http";

const counts = {};
const sent = {};
const page = (results, extra = {}) =>
  JSON.stringify({ results, currentPage: 1, pageCount: 1, pageSize: 1000, rowCount: results.length, ...extra });
const person = { personId: 1, firstName: "A", lastName: "B", email: null };
let soon = 0;

const server = createServer((req, res) => {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (path === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ counts, sent }));
    return;
  }
  counts[path] = (counts[path] ?? 0) + 1;
  const json = { "content-type": "application/json" };
  switch (path) {
    case "/Trickle": {
      // Headers at once, then one byte every 50 ms, forever.
      res.writeHead(200, json);
      res.write('{"results":[');
      const timer = setInterval(() => {
        sent[path] = (sent[path] ?? 0) + 1;
        res.write(" ");
      }, 50);
      res.on("close", () => clearInterval(timer));
      return;
    }
    case "/Endless": {
      // A body that never ends, as fast as the client reads it.
      res.writeHead(200, json);
      res.write('{"results":[');
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let open = true;
      res.on("close", () => {
        open = false;
      });
      const pump = () => {
        while (open) {
          sent[path] = (sent[path] ?? 0) + chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
      };
      pump();
      return;
    }
    case "/Declared": {
      res.writeHead(200, { ...json, "content-length": String(10 * 1024 ** 3) });
      res.write('{"results":[');
      return;
    }
    case "/MillionPages":
      res.writeHead(200, json);
      res.end(page([person], { pageCount: 1_000_000, rowCount: 1_000_000, pageSize: 1 }));
      return;
    case "/LyingPages":
      res.writeHead(200, json);
      res.end(page([person], { pageCount: 1_000_000, rowCount: 1 }));
      return;
    case "/RetryForever":
      res.writeHead(429, { ...json, "retry-after": "999999999" });
      res.end(JSON.stringify({ statusCode: 429, message: "Rate limit is exceeded." }));
      return;
    case "/RetryDate":
      res.writeHead(429, { ...json, "retry-after": new Date(Date.now() + 3_600_000).toUTCString() });
      res.end(JSON.stringify({ statusCode: 429, message: "Rate limit is exceeded." }));
      return;
    case "/RetryTen":
      res.writeHead(429, { ...json, "retry-after": "10" });
      res.end();
      return;
    case "/RetrySoon":
      if (soon++ % 2 === 0) {
        res.writeHead(429, { ...json, "retry-after": "1" });
        res.end();
        return;
      }
      res.writeHead(200, json);
      res.end(page([person]));
      return;
    default:
      res.writeHead(404, json);
      res.end(JSON.stringify({ statusCode: 404, message: "Resource not found" }));
  }
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.on("disconnect", () => process.exit(0));
