import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// The specs that need two server processes on one PostgreSQL database, which
// scripts/test.sh starts at 127.0.0.1:3000 and :3001 (no global set-up: they
// use the demo users).
export default defineConfig({ ...base, testDir: "./processes", globalSetup: undefined, globalTeardown: undefined });
