package data

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/data/typesource"
)

// SignOuts records ended sessions in one ConfigMap of the dashboard's own namespace, so that a
// session signed out on one replica is refused by every replica (and after restarts). Each entry
// is the session's id → "<issued> <expires>" (Unix seconds); an entry is dropped once its session
// would have expired anyway. The ConfigMap is bounded: past MaxSignOuts entries the oldest sessions'
// entries give way to a "not-before" time that refuses every session issued before it, so the
// bound is kept by asking a few people to sign in again, never by forgetting a sign-out.
type SignOuts struct {
	enabled   bool
	ns, name  string
	write     kubernetes.Interface
	informer  cache.SharedIndexInformer
	factory   informers.SharedInformerFactory
	stop      chan struct{}
	stopOnce  sync.Once
	max       int
	now       func() time.Time
	log       *log.Helper
	listErrMu sync.Mutex
	listErr   error
}

// MaxSignOuts bounds the sign-outs kept (about 50 bytes each: well under a ConfigMap's 1 MiB).
const MaxSignOuts = 10000

// notBeforeKey is the entry refusing every session issued before it.
const notBeforeKey = "not-before"

// NewSignOuts watches the sign-out ConfigMap; in auth mode none there are no sessions and it
// does nothing. Outside a cluster the namespace must be configured.
func NewSignOuts(c *conf.Auth, clients *Clients, logger log.Logger) (*SignOuts, error) {
	s := &SignOuts{max: MaxSignOuts, now: time.Now, log: log.NewHelper(log.With(logger, "module", "data/signouts"))}
	if c.Mode != "token" && c.Mode != "oidc" {
		return s, nil
	}
	s.enabled, s.ns, s.name, s.write = true, c.SessionsNamespace, c.SessionsConfigMap, clients.Service
	if s.ns == "" {
		s.ns = typesource.OwnNamespace()
	}
	if s.ns == "" || s.name == "" {
		return nil, fmt.Errorf("auth.mode %s records sign-outs in a ConfigMap every replica reads: set KD_AUTH_SESSIONS_NAMESPACE (outside a cluster there is no own namespace) and KD_AUTH_SESSIONS_CONFIGMAP", c.Mode)
	}
	s.factory = informers.NewSharedInformerFactoryWithOptions(clients.Plain, 0, informers.WithNamespace(s.ns),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", s.name).String()
		}))
	s.informer = s.factory.Core().V1().ConfigMaps().Informer()
	_ = s.informer.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		s.listErrMu.Lock()
		s.listErr = err
		s.listErrMu.Unlock()
		cache.DefaultWatchErrorHandler(ctx, r, err)
	})
	s.stop = make(chan struct{})
	return s, nil
}

// Start implements transport.Server: the watch runs until Stop.
func (s *SignOuts) Start(context.Context) error {
	if s.enabled {
		s.factory.Start(s.stop)
	}
	return nil
}

// Stop implements transport.Server.
func (s *SignOuts) Stop(context.Context) error {
	if s.enabled {
		s.stopOnce.Do(func() { close(s.stop) })
		s.factory.Shutdown()
	}
	return nil
}

// Ended tells whether the session id, issued at issued, was signed out. Until the ConfigMap has
// been read once nobody can tell, and that is an error (refusing is safer than guessing).
func (s *SignOuts) Ended(id string, issued time.Time) (bool, error) {
	if !s.enabled {
		return false, nil
	}
	if !s.informer.HasSynced() {
		s.listErrMu.Lock()
		err := s.listErr
		s.listErrMu.Unlock()
		if err != nil {
			return false, biz.Unavailable(err, "sign-outs cannot be read from ConfigMap %s/%s: %v", s.ns, s.name, err)
		}
		return false, biz.Unavailable(nil, "sign-outs are not read yet (ConfigMap %s/%s): try again in a moment", s.ns, s.name)
	}
	item, ok, err := s.informer.GetStore().GetByKey(s.ns + "/" + s.name)
	if err != nil || !ok {
		return false, err
	}
	cm := item.(*corev1.ConfigMap)
	if nb, ok := cm.Data[notBeforeKey]; ok {
		if t, err := strconv.ParseInt(nb, 10, 64); err == nil && issued.Unix() < t {
			return true, nil
		}
	}
	_, ended := cm.Data[id]
	return ended, nil
}

// End records that the session id (issued, expiring at expires) was signed out. It writes as the
// dashboard, with the ConfigMap's resourceVersion, so concurrent sign-outs on several replicas
// are all kept.
func (s *SignOuts) End(ctx context.Context, id string, issued, expires time.Time) error {
	if !s.enabled {
		return nil
	}
	cms := s.write.CoreV1().ConfigMaps(s.ns)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cm, err := cms.Get(ctx, s.name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			cm = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: s.name, Namespace: s.ns,
				Labels: map[string]string{"app.kubernetes.io/name": "kruise-dashboard", "app.kubernetes.io/component": "sign-outs"}}}
			cm.Data = s.record(nil, id, issued, expires)
			_, err = cms.Create(ctx, cm, metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				return apierrors.NewConflict(corev1.Resource("configmaps"), s.name, err)
			}
			return err
		}
		if err != nil {
			return err
		}
		cm.Data = s.record(cm.Data, id, issued, expires)
		_, err = cms.Update(ctx, cm, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return biz.FromKube(err, fmt.Sprintf("record the sign-out in ConfigMap %s/%s", s.ns, s.name))
	}
	return nil
}

// record is entries with id added, the expired ones dropped and, past the bound, the oldest
// sessions' entries replaced by a not-before time.
func (s *SignOuts) record(entries map[string]string, id string, issued, expires time.Time) map[string]string {
	now := s.now().Unix()
	type entry struct {
		id              string
		issued, expires int64
	}
	kept := []entry{{id, issued.Unix(), expires.Unix()}}
	notBefore := int64(0)
	for k, v := range entries {
		if k == notBeforeKey {
			notBefore, _ = strconv.ParseInt(v, 10, 64)
			continue
		}
		iat, exp, ok := strings.Cut(v, " ")
		i, err1 := strconv.ParseInt(iat, 10, 64)
		e, err2 := strconv.ParseInt(exp, 10, 64)
		if !ok || err1 != nil || err2 != nil || e <= now || k == id {
			continue
		}
		kept = append(kept, entry{k, i, e})
	}
	if len(kept) > s.max {
		// Newest sessions first: the oldest ones are refused wholesale by the not-before time.
		sort.Slice(kept, func(i, j int) bool { return kept[i].issued > kept[j].issued })
		keep := s.max * 3 / 4
		for _, e := range kept[keep:] {
			notBefore = max(notBefore, e.issued+1)
		}
		kept = kept[:keep]
	}
	out := make(map[string]string, len(kept)+1)
	for _, e := range kept {
		if e.issued >= notBefore {
			out[e.id] = strconv.FormatInt(e.issued, 10) + " " + strconv.FormatInt(e.expires, 10)
		}
	}
	if notBefore > 0 {
		out[notBeforeKey] = strconv.FormatInt(notBefore, 10)
	}
	return out
}
