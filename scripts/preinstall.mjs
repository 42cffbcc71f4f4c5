// Root `preinstall`: on a Node older than 22, one line saying what happens next instead of npm's
// EBADENGINE warnings (which .npmrc's loglevel=error hides). Silent on a supported Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.log(
    `servedby: this is Node ${process.version}; the packages need Node 22+. Installing anyway: \`npm run demo\` and \`npm test\` fetch Node 24 from the npm registry on first use.`,
  );
}
