// The same handler under Express: mount it before any body parser (it reads the body itself).

import { type RosterHandler, toNodeListener } from "@rostersync/http";
import express, { type Express } from "express";
import { API } from "./host.ts";

/** An Express app serving the admin API at {@link API} and the host's own routes beside it. */
export function expressApp(handler: RosterHandler): Express {
  const app = express();
  const listener = toNodeListener(handler);
  app.use(API, (req, res, next) => {
    listener(req, res).catch(next);
  });
  app.get("/health", (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}
