import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./fixtures/test";
import { SignInPage, hydrated, openTab, seriousViolations, users } from "./fixtures/portal";
import { stockPartner, submittedRequest } from "./fixtures/stock";

// Names of this run's test alone: the demo database is shared by the specs.
const stamp = process.env.PORTAL_E2E_STAMP ?? String(Date.now());
const attempt = () => `${stamp.slice(-6)}${test.info().retry}${test.info().repeatEachIndex}`;

test("a partner admin creates an API token, sees it once, calls the API with it, and revokes it", async ({ page, request }) => {
  const name = `ERP sync ${attempt()}`;
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(users.partner.email);
  await expect(page.getByRole("link", { name: "Your account" })).toBeVisible();
  await openTab(page, "API tokens");
  await page.locator('#api-tokens-tab[data-hydrated="true"]').waitFor();

  await page.getByLabel("Token name").fill(name);
  await page.getByLabel("Access").selectOption("read_write");
  await page.getByLabel("Expires").selectOption("30");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText("Copy this token now and keep it safe: it is not shown again.")).toBeVisible();
  const secret = await page.getByLabel(`New token ${name}`).inputValue();
  expect(secret).toMatch(/^lcp_[0-9a-f]{64}$/);
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("Read and write");
  await expect(row).toContainText("Active");
  await expect(row).toContainText(secret.slice(0, 12));
  // The list shows a prefix, never the rest of the secret.
  await expect(page.getByRole("table")).not.toContainText(secret);
  expect(await seriousViolations(page)).toEqual([]);

  // The partner's system calls with it: the partner's accounts, as the selector has them.
  const accounts = await request.get("/api/v1/accounts", { headers: { Authorization: `Bearer ${secret}` } });
  expect(accounts.status()).toBe(200);
  const names = ((await accounts.json()).data as { name: string }[]).map((a) => a.name);
  expect(names).toContain(users.partner.account);
  expect(names).not.toContain(users.otherPartner.account);

  // Shown once: gone after a reload; the row now says when it was last used.
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel(`New token ${name}`)).toHaveCount(0);
  await expect(page.getByRole("row", { name: new RegExp(name) }).getByRole("cell").nth(5)).not.toHaveText("Never");

  // Revoked: refused from the next call, and the tab says so, in French too.
  await page.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("Revoked");
  await expect(page.getByRole("button", { name: `Revoke ${name}` })).toHaveCount(0);
  const refused = await request.get("/api/v1/accounts", { headers: { Authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toEqual({ error: "not_signed_in" });
  await page.getByLabel("Language").selectOption("fr");
  await expect(page.getByRole("heading", { name: "Jetons d'API" })).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("Révoqué");
  expect(await seriousViolations(page)).toEqual([]);
});

test("a partner admin adds a webhook endpoint, sees a delivery after a request changes state, and redelivers it", async ({ page }) => {
  // The partner's receiver: records each delivery's headers and body.
  const received: { id: string; signature: string; type: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({
        id: String(req.headers["webhook-id"]),
        signature: String(req.headers["webhook-signature"]),
        type: JSON.parse(body).type,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ready) => receiver.listen(0, "127.0.0.1", ready));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  try {
    const signIn = new SignInPage(page);
    await signIn.open();
    await signIn.signIn(stockPartner.email, stockPartner.password);
    await expect(page.getByRole("link", { name: "Your account" })).toBeVisible();
    await openTab(page, "Webhooks");
    await page.locator('#webhooks-tab[data-hydrated="true"]').waitFor();
    await page.getByLabel("Endpoint URL").fill(url);
    // Every event is ticked; this endpoint takes the submitted ones only.
    for (const event of ["drawdown.approved", "drawdown.rejected", "drawdown.accepted", "drawdown.cancelled", "drawdown.expired", "entitlement.changed"]) {
      await page.getByLabel(event).uncheck();
    }
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const endpoint = page.getByRole("region", { name: url });
    await expect(endpoint).toBeVisible();
    await expect(endpoint.getByLabel(`Signing secret of ${url}`)).toHaveValue(/^whsec_/);
    expect(await seriousViolations(page)).toEqual([]);

    // A request is saved: the portal posts drawdown.submitted, signed.
    const request = await submittedRequest(`Hooked Client ${attempt()}`, { "Bot Creator": 1 });
    await expect.poll(() => received.filter((r) => r.type === "drawdown.submitted").length).toBeGreaterThanOrEqual(1);
    const first = received.find((r) => r.type === "drawdown.submitted")!;
    expect(first.id).toMatch(/^msg_/);
    expect(first.signature).toMatch(/^v1,/);
    // The log says so (after a reload: the tab is not live).
    await expect
      .poll(async () => {
        await page.reload();
        await hydrated(page);
        return await page.getByRole("table", { name: `Deliveries of ${url}` }).getByRole("row", { name: /drawdown\.submitted/ }).first().textContent();
      })
      .toContain("Delivered");
    expect(request.number).toMatch(/^PDR-/);

    // Redeliver: sent again under the same webhook-id.
    const before = received.length;
    await page.getByRole("button", { name: `Redeliver drawdown.submitted ${first.id}` }).click();
    await expect.poll(() => received.length).toBe(before + 1);
    expect(received[received.length - 1].id).toBe(first.id);
    await page.getByLabel("Language").selectOption("fr");
    await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();
    await expect(page.getByRole("button", { name: `Renvoyer drawdown.submitted ${first.id}` })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  } finally {
    receiver.close();
  }
});
