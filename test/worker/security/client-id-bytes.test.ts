import { describe, expect, it } from "vitest";
import { captureLogs, gatewayFor } from "../gateway-helpers";
import { ORDERS } from "./helpers";

const INVALID = { httpCode: "401", httpMessage: "Unauthorized", moreInformation: "Invalid client id or secret." };

describe("a client ID that cannot be a KV key", () => {
  const gw = gatewayFor({ "orders.yaml": ORDERS });

  it("is an unknown client (401), not a registry failure (500): KV keys are at most 512 UTF-8 bytes", async () => {
    // 200 characters, 600 bytes in UTF-8: under the length bound, over KV's key limit.
    const id = encodeURIComponent("中".repeat(200));
    const { result, lines } = await captureLogs(async () => {
      const res = await gw.fetch(`/orders/query?client_id=${id}&client_secret=whatever-secret`);
      return { status: res.status, json: await res.json() };
    });
    expect(result).toEqual({ status: 401, json: INVALID });
    expect(lines).toEqual([]);
  });

  it("'.' and '..' (names KV refuses) are unknown clients too", async () => {
    const { result, lines } = await captureLogs(async () => {
      const out: number[] = [];
      for (const id of [".", ".."]) {
        const res = await gw.fetch("/orders/id", { headers: { "X-IBM-Client-Id": id } });
        await res.text();
        out.push(res.status);
      }
      return out;
    });
    expect(result).toEqual([401, 401]);
    expect(lines).toEqual([]);
  });
});
