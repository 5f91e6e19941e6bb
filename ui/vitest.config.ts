// Vitest: the UI's pure logic (formatting, status, validation) and its views in happy-dom.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/unit/**/*.test.ts"],
    environment: "happy-dom",
  },
});
