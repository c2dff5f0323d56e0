// Runs the typed client against a live server seeded by `balcao demo`:
// BALCAO_URL, BALCAO_API_KEY, BALCAO_STORE_ID and BALCAO_SLUG name it.
import { buyOne, connect, listProducts } from "./client.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

const base = env("BALCAO_URL");
const staff = connect(base, env("BALCAO_API_KEY"));
const products = await listProducts(staff, env("BALCAO_STORE_ID"));
const variant = products
  .filter((p) => p.status === "active")
  .flatMap((p) => p.variants)
  .find((v) => v.inventory.available > 5);
if (!variant) {
  throw new Error(`none of ${products.length} products has a variant in stock`);
}
const { order } = await buyOne(connect(base), {
  slug: env("BALCAO_SLUG"),
  variantId: variant.id,
  quantity: 1,
  customer: { name: "Cliente do Cliente TS", email: "cliente-ts@example.com.br" },
  address: { cep: "01310-100", street: "Avenida Paulista", number: "1000", neighborhood: "Bela Vista", city: "São Paulo", state: "SP" },
  idempotencyKey: `ts-client-${Date.now()}`,
});
if (order.lines.length !== 1 || order.status !== "pending_payment") {
  throw new Error(`unexpected order ${JSON.stringify(order)}`);
}
console.log(`typed client: ${products.length} products listed; order #${order.number} placed (${order.total.amount} ${order.total.currency})`);
