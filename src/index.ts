export default {
  async fetch(req: Request, env: { ORIGIN_URL?: string }) {
    return new Response("hi");
  },
};
