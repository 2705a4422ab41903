/**
 * edge-jwt: the project's command line.
 *
 *   edge-jwt check [DIR|FILE…]                 validate definitions as the build does (exit 1 on a problem)
 *   edge-jwt mint --api FILE --key FILE [--jwe-key FILE] [--header k:v]… [--var NAME=VALUE]…
 *                                              run the definition's policies up to its first jwt-generate, locally,
 *                                              and print the token and its decoded parts
 *   edge-jwt jwks --alg ALG FILE…              the public JWK Set of key files
 *   edge-jwt keygen --alg ALG [--kid K] [--set] [--json]
 *                                              a new signing key (scripts/keygen.ts, shared with `npm run keygen`)
 */
import { runCheck } from "./cli/check";
import { runJwks } from "./cli/jwks";
import { runMint } from "./cli/mint";
import { main as runKeygen } from "./keygen";

const USAGE = `usage:
  edge-jwt check [DIR|FILE…]        validate API definitions (default: apis/)
  edge-jwt mint --api FILE --key FILE [--jwe-key FILE] [--header NAME:VALUE]… [--var NAME=VALUE]…
                                    mint a token with the definition's jwt-generate and print it, decoded
  edge-jwt jwks --alg ALG FILE…     the public JWK Set of key files, as the worker's JWKS endpoint publishes it
  edge-jwt keygen --alg ALG [--kid K] [--set] [--json]
                                    a new signing key: its private value to store, the public JWK Set, the commands
  edge-jwt keygen --jwks FILE… [--alg ALG]
                                    the public JWK Set of key files (as jwks; also reads JWK Sets)`;

const [command, ...args] = process.argv.slice(2);
let code: number;
switch (command) {
  case "check":
    code = await runCheck(args);
    break;
  case "mint":
    code = await runMint(args);
    break;
  case "jwks":
    code = await runJwks(args);
    break;
  case "keygen":
    code = await runKeygen(args, "edge-jwt keygen");
    break;
  case undefined:
  case "help":
  case "--help":
  case "-h":
    console.log(USAGE);
    code = command === undefined ? 2 : 0;
    break;
  default:
    console.error(`edge-jwt: unknown command '${command}'\n${USAGE}`);
    code = 2;
}
process.exit(code);
