import { packageBuild } from '../../tsup.shared';

// cluster-worker is the entry node:cluster forks; start-server finds it beside itself.
export default packageBuild(['src/index.ts', 'src/cluster-worker.ts'], {
  dts: { entry: 'src/index.ts' },
});
