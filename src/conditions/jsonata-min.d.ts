declare module "jsonata/jsonata.min.js" {
  import jsonata from "jsonata";
  export default jsonata;
}
