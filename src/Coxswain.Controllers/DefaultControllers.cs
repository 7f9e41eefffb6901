namespace Coxswain.Controllers;

/// <summary>The controllers `cox server` runs, with their worker counts (upstream's --concurrent-*-syncs defaults).</summary>
public static class DefaultControllers
{
    /// <param name="nodeIpam">Pod CIDR allocation; null or an empty cluster CIDR leaves the nodeipam controller out.</param>
    public static ControllerManager AddDefaults(this ControllerManager manager, NodeIpam.NodeIpamOptions? nodeIpam = null)
    {
        manager.Add(new ReplicaSet.ReplicaSetController(manager), workers: 5);
        manager.Add(new Deployment.DeploymentController(manager), workers: 5);
        manager.Add(new StatefulSet.StatefulSetController(manager), workers: 5);
        manager.Add(new DaemonSet.DaemonSetController(manager), workers: 2);
        manager.Add(new Job.JobController(manager), workers: 5);
        manager.Add(new Job.TtlAfterFinishedController(manager), workers: 5);
        manager.Add(new CronJob.CronJobController(manager), workers: 5);
        manager.Add(new GarbageCollector.GarbageCollectorController(manager), workers: 20);
        manager.Add(new Namespace.NamespaceController(manager), workers: 10);
        if (nodeIpam is { ClusterCidr.Length: > 0 } && manager.IsEnabled("nodeipam"))
        {
            manager.Add(new NodeIpam.NodeIpamController(manager, nodeIpam), workers: 1);
        }
        return manager;
    }
}
