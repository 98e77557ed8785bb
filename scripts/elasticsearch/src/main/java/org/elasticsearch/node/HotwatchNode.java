package org.elasticsearch.node;

import java.util.function.Function;

import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.PluginsService;

/**
 * A node whose plugins come from the classpath instead of a distribution's modules/ folder.
 * It lives in Elasticsearch's package because NodeServiceProvider is package-private.
 */
public class HotwatchNode extends Node {

    public HotwatchNode(Environment environment, Function<Settings, PluginsService> pluginsService) {
        super(NodeConstruction.prepareConstruction(environment, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, Settings settings) {
                return pluginsService.apply(settings);
            }
        }, true));
    }

    @Override
    protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {
        // The distribution uses this to put node/cluster ids in log lines; not needed here.
    }
}
